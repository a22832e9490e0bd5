/** The dashboard's stylesheet. */
export const PAGE_CSS = `
:root { --fg: #1d232b; --muted: #6a737d; --line: #e1e4e8; --bg: #fafbfc; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1.2rem; background: #14202e; color: #fff; }
header .brand { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.1rem; }
header .label { color: #b7c2cf; font-family: ui-monospace, monospace; font-size: .85rem; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
a { color: var(--accent); }
.muted { color: var(--muted); }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: .8rem; }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
input, select, textarea, button { font: inherit; padding: .3rem .5rem; border: 1px solid #c8cdd3; border-radius: 4px; background: #fff; }
button { cursor: pointer; }
button:hover { border-color: var(--accent); }
button:disabled { opacity: .5; cursor: default; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; }
td.id { font-family: ui-monospace, monospace; }
.status { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: .8rem; background: #eef1f4; }
.status.completed, .status.compensated { background: #dcf5e3; color: #135f2c; }
.status.failed, .status.compensation_failed, .status.cancelled { background: #fde2e1; color: #8a1c17; }
.status.running, .status.pending, .status.compensating, .status.retrying { background: #e2eefc; color: #0b4a8a; }
.status.waiting, .status.paused, .status.suspended, .status.interrupted { background: #fff3cd; color: #7a5a00; }
.pager { display: flex; gap: .5rem; align-items: center; margin-top: .6rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin-bottom: .8rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.actions form { display: flex; gap: .4rem; align-items: center; margin-left: 1rem; }
.message { margin-top: .5rem; min-height: 1.2rem; }
.message.error { color: #8a1c17; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.2rem; border-left: 1px dashed #c8cdd3; }
ul.tree { border-left: none; padding-left: 0; }
ul.tree li { margin: .2rem 0; }
.kind { font-weight: 600; }
.step-id { font-family: ui-monospace, monospace; }
.error-text { color: #8a1c17; }
details > summary { cursor: pointer; }
pre { margin: .3rem 0; padding: .5rem; background: #f3f5f7; border-radius: 4px; overflow: auto; max-height: 20rem; font-size: .8rem; }
`;
