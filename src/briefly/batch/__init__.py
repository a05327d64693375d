"""Briefing many articles: the local and Ray runners, their sources and their stored results."""
