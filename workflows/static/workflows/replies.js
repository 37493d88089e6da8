/**
 * 常用回复: a reply template's button fills the form's text box (data-reply-target names it).
 * An empty box takes the text; one already written in gets it on a new line, so nothing typed
 * is lost. Delegated from the document: it keeps working after a live refresh of the page.
 */
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-reply-text]");
  const group = button?.closest("[data-reply-target]");
  const box = group && document.getElementById(group.dataset.replyTarget);
  if (!box) return;
  const text = button.dataset.replyText;
  box.value = box.value.trim() ? `${box.value.replace(/\s+$/, "")}\n${text}` : text;
  box.dispatchEvent(new Event("input", { bubbles: true })); // drafts and counters hear it
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
});
