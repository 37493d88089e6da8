/**
 * Behaviour every page shares, without inline handlers (the Content-Security-Policy allows
 * no inline code): a <select data-submit-on-change> sends its form when it changes (the
 * language menu; a <noscript> button does it without JavaScript).
 */
for (const select of document.querySelectorAll("select[data-submit-on-change]")) {
  select.addEventListener("change", () => select.form?.submit());
}
