// Dashboards as code: Markdown pages under reports/ with named Snowflake-SQL blocks and components
// (README.md, "Report pages"). The site build publishes what renderReportPages returns.
export { loadReports, REPORTS_DIR, type ReportFile } from './load.js';
export { planReports } from './plan.js';
export { renderReportPages, type ReportPage, type RenderReportOptions } from './render.js';
export { COMPONENTS, type ComponentSpec, type AttributeSpec } from './components.js';
export { ReportError } from './queries.js';
