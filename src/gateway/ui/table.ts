/** The one table shape of the console's lists: scrollable on narrow screens, a caption for screen readers, column headers. */
import { html, type Html, type HtmlValue } from './html.js';

export interface ScrollTable {
  /** Shown above the table (left out when undefined). */
  readonly caption?: HtmlValue;
  /** The `class` of the table itself (left out when undefined). */
  readonly className?: string;
  /** One header cell per column, in order. */
  readonly columns: readonly string[];
  /** The body rows, already `<tr>` elements. */
  readonly rows: HtmlValue;
}

/** `<div class="scroll"><table>…</table></div>` with the given caption, columns and rows. */
export function scrollTable(t: ScrollTable): Html {
  return html`<div class="scroll">
    <table${t.className === undefined ? '' : html` class="${t.className}"`}>
      ${
        t.caption === undefined
          ? ''
          : html`<caption>
              ${t.caption}
            </caption>`
      }
      <thead>
        <tr>
          ${t.columns.map((c) => html`<th scope="col">${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${t.rows}
      </tbody>
    </table>
  </div>`;
}
