// The page of GET /cgi-bin/luci/: what a browser or a probe finds where LuCI's start page was.
// The agent's name and version, a link to the API docs, and a login form that posts as LuCI's
// does (luci_username, luci_password to /cgi-bin/luci/; the answer is the sysauth cookie).

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const DOCS_LINK = '/cgi-bin/luci/sdewan/docs';

/** No scripts, no outside resources; forms post only here; never framed. */
export const LOGIN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

export function loginPage(opts: { name: string; version: string }): string {
  const title = `${escapeHtml(opts.name)} ${escapeHtml(opts.version)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}label{display:block;margin:.5em 0}</style>
</head>
<body>
<h1>${title}</h1>
<p>The REST agent of this SDEWAN CNF: mwan3, firewall and IPsec over LuCI's API. The API is described at <a href="${DOCS_LINK}">${DOCS_LINK}</a>.</p>
<form method="post" action="/cgi-bin/luci/">
<label>User <input name="luci_username" autocomplete="username"></label>
<label>Password <input name="luci_password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>
</body>
</html>
`;
}
