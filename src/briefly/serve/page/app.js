// The page of `briefly serve`: it calls the service's own API (/extract, then /brief) and
// shows what comes back. Server text is only ever set as textContent, never as HTML.
"use strict";

const KEY_STORE = "briefly.api_key";
const $ = (id) => document.getElementById(id);

let settings = null;
let file = null; // {name, html, text} of the file dropped or picked; {name, blob} for a document
// PDF and Word files go to the server as they are: only the server reads their text.
const DOCUMENT = /\.(pdf|docx)$/i;
let lastBrief = null;

document.addEventListener("DOMContentLoaded", async () => {
  $("brief-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  $("file").addEventListener("change", () => readFile($("file").files[0]));
  $("article").addEventListener("input", () => {
    file = null;
    $("file-name").textContent = "";
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    readFile(event.dataTransfer.files[0]);
  });
  $("download").addEventListener("click", download);
  $("copy-body").addEventListener("click", () => copy($("body").innerText));
  $("api-key").addEventListener("change", () => {
    sessionStorage.setItem(KEY_STORE, $("api-key").value.trim());
  });
  await loadSettings();
});

async function loadSettings() {
  try {
    const response = await fetch("/frontend/settings");
    settings = await response.json();
  } catch (e) {
    showError("Cannot reach the server: check that briefly serve is running, then reload.");
    return;
  }
  $("key-box").hidden = !settings.keyRequired;
  $("api-key").value = sessionStorage.getItem(KEY_STORE) || "";
  $("url-box").hidden = !settings.allowUrls;
  $("length").value = settings.length;
  const targets = $("targets");
  if (!settings.targets.length) {
    const none = document.createElement("p");
    none.className = "hint";
    none.textContent = "This server translates into no language: the brief is in English only.";
    targets.append(none);
  }
  for (const target of settings.targets) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "to";
    box.value = target.code;
    box.checked = true;
    label.append(box, ` ${target.name} (${target.code})`);
    targets.append(label);
  }
}

function readFile(picked) {
  if (!picked) return;
  if (DOCUMENT.test(picked.name)) {
    file = { name: picked.name, blob: picked };
    $("article").value = "";
    $("file-name").textContent = picked.name;
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    file = { name: picked.name, html: /\.html?$/i.test(picked.name), text: reader.result };
    $("article").value = reader.result;
    $("file-name").textContent = picked.name;
  };
  reader.onerror = () =>
    showError(`Cannot read ${picked.name}: pick a .txt, .md, .html, .pdf or .docx file.`);
  reader.readAsText(picked);
}

// What /extract and /brief are asked to read: the URL when no text is given, else the text
// (as HTML when it came from an .html file or looks like a web page).
function articleFields() {
  if (file && file.blob) return { file: file.blob, source: file.name };
  const text = $("article").value;
  const url = settings && settings.allowUrls ? $("url").value.trim() : "";
  if (!text.trim() && url) return { url };
  if (!text.trim()) return null;
  const html = file ? file.html : /^\s*</.test(text) && /<\/(p|div|body|html|article)>/i.test(text);
  const fields = html ? { html: text } : { text };
  if (file) fields.source = file.name;
  return fields;
}

async function run() {
  hideError();
  const fields = articleFields();
  if (!fields) {
    const where = settings && settings.allowUrls ? ", or give its address" : "";
    showError(`Paste an article, or drop or pick a file${where}.`);
    $("article").focus();
    return;
  }
  const key = $("api-key").value.trim();
  if (settings && settings.keyRequired) {
    if (!key) {
      showError("This server needs an API key: enter it above.");
      $("api-key").focus();
      return;
    }
    fields.api_key = key;
    sessionStorage.setItem(KEY_STORE, key);
  }
  const chosen = [...document.querySelectorAll("input[name=to]:checked")].map((b) => b.value);
  const go = $("go");
  go.disabled = true;
  $("result").hidden = true;
  lastBrief = null;
  try {
    const article = await call("/extract", fields, "Cleaning the article");
    if (!article) return;
    showArticle(article);
    const work = chosen.length ? `briefing and translating into ${chosen.join(", ")}` : "briefing";
    const brief = await call(
      "/brief",
      { ...fields, to: chosen.length ? chosen : "none", length: $("length").value },
      `Article cleaned; ${work}`,
    );
    if (!brief) return;
    lastBrief = brief;
    showBrief(brief);
  } finally {
    go.disabled = false;
  }
}

// JSON, or a multipart form when a document file is uploaded (its parts as the API reads them).
function request(body) {
  if (!(body.file instanceof Blob)) {
    return {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    };
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one instanceof Blob) form.append(name, one, body.source);
      else form.append(name, one);
    }
  }
  return { method: "POST", body: form };
}

// The answer's JSON, or null once the error is shown. Progress shows the seconds waited.
async function call(path, body, doing) {
  const started = Date.now();
  const tick = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    $("status-text").textContent = `${doing}… ${seconds} s`;
  };
  tick();
  $("progress").hidden = false;
  const timer = setInterval(tick, 1000);
  let response;
  try {
    response = await fetch(path, request(body));
  } catch (e) {
    showError("Cannot reach the server: check that briefly serve is running, then retry.");
    return null;
  } finally {
    clearInterval(timer);
    $("progress").hidden = true;
    $("status-text").textContent = "";
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch (e) {
    answer = { error: `The server answered ${response.status} without a message` };
  }
  if (response.ok) return answer;
  showError(explain(response, answer.error || `The server answered ${response.status}`));
  if (response.status === 401 || response.status === 403) {
    $("key-box").hidden = false;
    $("api-key").focus();
  }
  return null;
}

function explain(response, message) {
  const wait = response.headers.get("Retry-After");
  switch (response.status) {
    case 413:
      return `Too large: ${message}`;
    case 429:
      return `Too many requests: retry in ${wait || "a few"} s. ${message}`;
    case 503:
      return `The server is busy or restarting: retry in ${wait || "a few"} s. ${message}`;
    case 504:
      return `Timed out: ${message}`;
    default:
      return message;
  }
}

function showArticle(article) {
  $("title").textContent = article.title || "(no title found)";
  const meta = $("meta");
  meta.replaceChildren();
  const rows = [
    ["Author", article.author],
    ["Published", article.published],
    ["Language", article.language],
    ["Source", article.source],
  ];
  for (const [label, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value || "not found";
    dd.dir = "auto";
    meta.append(dt, dd);
  }
  paragraphs($("body"), article.body, article.language);
  const removed = $("removed");
  removed.replaceChildren();
  for (const { line, reason } of article.removed) {
    const item = document.createElement("li");
    const del = document.createElement("del");
    del.dir = "auto";
    del.textContent = line;
    const why = document.createElement("span");
    why.className = "reason";
    why.textContent = reason;
    item.append(del, " ", why);
    removed.append(item);
  }
  if (!article.removed.length) {
    const item = document.createElement("li");
    item.textContent = "Cleaning removed no lines.";
    removed.append(item);
  }
  $("panes").replaceChildren();
  $("download").disabled = true;
  $("result").hidden = false;
}

function showBrief(brief) {
  const names = { en: "English" };
  for (const target of settings.targets) names[target.code] = target.name;
  const texts = [[brief.brief_language, brief.brief, null], ...Object.entries(brief.translations)];
  const panes = $("panes");
  panes.replaceChildren();
  for (const [lang, text, fixed] of texts) {
    // A warning without a language is the brief's own (the summariser's).
    const own = fixed === null ? null : lang;
    const warnings = brief.warnings.filter((w) => w.lang === own);
    panes.append(pane(lang, names[lang] || lang, text, warnings));
  }
  $("download").disabled = false;
  $("status-text").textContent = "Done.";
}

function pane(lang, name, text, warnings) {
  const box = document.createElement("article");
  box.className = "pane";
  box.dataset.lang = lang;
  const head = document.createElement("div");
  head.className = "pane-head";
  const heading = document.createElement("h3");
  heading.textContent = `${name} (${lang})`;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy";
  button.setAttribute("aria-label", `Copy the ${name} text`);
  button.addEventListener("click", () => copy(text));
  head.append(heading, button);
  const body = document.createElement("div");
  body.className = "text";
  paragraphs(body, text, lang);
  box.append(head, body);
  if (warnings.length) {
    const list = document.createElement("ul");
    list.className = "warnings";
    for (const warning of warnings) {
      const item = document.createElement("li");
      item.textContent = `Warning (${warning.code}): ${warning.detail}`;
      list.append(item);
    }
    box.append(list);
  }
  return box;
}

function paragraphs(element, text, lang) {
  element.replaceChildren();
  for (const part of text.split(/\n\s*\n/)) {
    if (!part.trim()) continue;
    const p = document.createElement("p");
    p.dir = "auto";
    if (lang) p.lang = lang;
    p.textContent = part;
    element.append(p);
  }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // Clipboard access needs a secure context (https or this machine); select instead.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  $("status-text").textContent = "Copied.";
}

function download() {
  if (!lastBrief) return;
  const blob = new Blob([JSON.stringify(lastBrief, null, 2) + "\n"], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "brief.json";
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(link.href);
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function hideError() {
  $("error").hidden = true;
  $("error").textContent = "";
}
