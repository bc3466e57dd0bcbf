// render(Plan): text for a terminal, versioned JSON for machines, markdown for job summaries.
export { renderText, renderTextPieces, markedWords, type TextOptions } from "./render/text.js";
export { renderJson } from "./render/json.js";
export {
  renderMarkdown,
  markdownCell,
  DEFAULT_MARKDOWN_MAX_BYTES,
  type MarkdownOptions,
} from "./render/markdown.js";
export { summaryLine, NO_CHANGES } from "./render/summary-line.js";
export { symbolOf, toneOf, SYMBOLS, type Tone } from "./render/symbols.js";
