// How wide text is drawn, for laying charts out on the server. ECharts measures text with a canvas, which the
// server has not; its fallback is a table of Arial's widths, while browsers draw the charts' system-ui, which on
// Debian is DejaVu Sans, about 12% wider: legends and labels laid out on Arial's widths overlap on the page.
// These are DejaVu Sans's widths (one of the widest sans-serif faces), so text laid out with them fits in the
// faces other systems draw (San Francisco, Segoe UI, Roboto) too, with room to spare.

// Advance widths of the printable ASCII characters (space to ~), in thousandths of the font size, measured in
// Chromium: canvas measureText of each character in "1000px system-ui, sans-serif", rounded up.
const ASCII_WIDTHS = [
  318, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337, 637, 637, 637, 637, 637, 637, 637, 637,
  637, 637, 337, 337, 838, 838, 838, 531, 1000, 685, 687, 699, 771, 632, 576, 775, 752, 295, 295, 656, 558, 863, 749, 788,
  604, 788, 695, 635, 611, 732, 685, 989, 686, 611, 686, 391, 337, 391, 838, 500, 500, 613, 635, 550, 635, 616, 353, 635,
  634, 278, 278, 580, 278, 975, 634, 612, 635, 635, 412, 521, 393, 634, 592, 818, 592, 592, 525, 637, 337, 637, 838,
];

/** The width in pixels of text in a font of `fontSize` pixels; a character outside ASCII counts as one em. */
export function textWidth(text: string, fontSize: number): number {
  let thousandths = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    thousandths += code >= 32 && code < 127 ? ASCII_WIDTHS[code - 32] : 1000;
  }
  return (thousandths * fontSize) / 1000;
}

/** The size in pixels a CSS font shorthand names ("12px system-ui, sans-serif"), 12 when it names none. */
export function fontSizeOf(font: string | undefined): number {
  return Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
}
