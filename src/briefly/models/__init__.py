"""The model stage: model names resolved to files, the engines that run them, their settings."""
