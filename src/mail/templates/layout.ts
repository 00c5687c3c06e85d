/** One rendered message: its subject, and the same content as plain text and as HTML. */
export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every value put into HTML goes through this, links included (an `&` or a quote must not end an attribute). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** A paragraph of HTML from plain text (escaped). */
export function paragraph(text: string): string {
  return `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
}

/** A button-like link; the URL is also shown as text for clients that hide links. */
export function button(label: string, url: string): string {
  const href = escapeHtml(url);
  return (
    `<p style="margin:0 0 16px"><a href="${href}" style="display:inline-block;padding:10px 18px;` +
    `background:#1f4fd1;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(label)}</a></p>` +
    `<p style="margin:0 0 16px;font-size:13px;color:#555555">Or paste this address into your browser:<br>${href}</p>`
  );
}

/**
 * The HTML document around a message's parts (already HTML). No free text a user chose
 * is ever placed in a message (not even the display name; the only values interpolated
 * are links and email addresses, escaped): mail goes to addresses nobody has proven yet,
 * and a sign-up must not let a stranger write words into someone's inbox.
 */
export function layout(title: string, parts: readonly string[]): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<title>${escapeHtml(title)}</title></head>` +
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222">' +
    `<div style="max-width:560px;margin:0 auto;padding:24px">${parts.join('')}</div></body></html>`
  );
}

/** Plain-text body from lines (blank lines between paragraphs). */
export function textBody(paragraphs: readonly string[]): string {
  return paragraphs.join('\n\n') + '\n';
}
