/**
 * Copy buttons: <button data-copy="<selector>" data-copied="<label>"> copies the text of the
 * element the selector names and says so on the button for two seconds. Without the
 * clipboard (or JavaScript) the number stays selectable on the page.
 */
document.addEventListener("click", async (event) => {
  const button = event.target.closest?.("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = button.dataset.copied ?? label;
  } catch {
    getSelection()?.selectAllChildren(source); // the person copies by hand
  }
  setTimeout(() => (button.textContent = label), 2000);
});
