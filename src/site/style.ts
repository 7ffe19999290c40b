// The site's one stylesheet, inlined into every page: no external file to fetch, so a page opened from
// file:// or saved alone looks the same. Colours keep text at WCAG AA contrast on their backgrounds.
export const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;color:#1f2328;background:#fff}
body{margin:0 auto;max-width:72rem;padding:0 1rem 1rem}
nav.site{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;border-bottom:1px solid #d0d7de;padding:.75rem 0;margin-bottom:.5rem}
nav.site .brand{font-weight:700;color:#1f2328;text-decoration:none}
nav.site a[aria-current=page]{font-weight:700;text-decoration:none;color:#1f2328}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem}
h1,h2,.facts dd,li{overflow-wrap:anywhere}
a{color:#0550ae}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;color:#57606a;padding:.25rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{border-bottom-width:2px}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.message{overflow-wrap:anywhere;min-width:12rem}
.badge{display:inline-block;padding:0 .5rem;border:1px solid;border-radius:1rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.ok{background:#dafbe1;color:#116329;border-color:#4ac26b}
.warn{background:#fff8c5;color:#7d4e00;border-color:#d4a72c}
.bad{background:#ffebe9;color:#a40e26;border-color:#ff8182}
.muted{background:#f6f8fa;color:#57606a;border-color:#d0d7de}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0}
.facts dt{font-weight:600}.facts dd{margin:0;min-width:0}
.note{color:#57606a;font-size:.85rem}
pre.error{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;background:#ffebe9;padding:.5rem}
pre.sql{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.5rem;font-size:.85rem}
.big-value{display:inline-flex;flex-direction:column;margin:.5rem 2rem .5rem 0}.big-value-number{font-size:1.6rem;font-weight:700;font-variant-numeric:tabular-nums}
.big-value-title,.big-value-change{color:#57606a;font-size:.85rem}.report-error{background:#ffebe9;padding:.5rem;overflow-wrap:anywhere}
figure.chart{margin:1rem 0}figure.chart svg{max-width:100%;height:auto}
footer{margin-top:3rem;color:#57606a;font-size:.85rem}
`;
