/** The dashboard's page: a shell that app.js fills from the JSON API. */
export function pageHtml(label: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tempolite</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <a href="#/" class="brand">Tempolite</a>
  <span class="label">${escapeHtml(label)}</span>
</header>
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
</body>
</html>
`;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
