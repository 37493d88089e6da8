/**
 * The case page: a one-tap link from a workbench (…#action-resolve) opens that action's
 * form and puts the cursor in its first field.
 */
function openTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (!(target instanceof HTMLDetailsElement)) return;
  target.open = true;
  target.scrollIntoView({ block: "start" });
  target.querySelector("textarea, input:not([type=hidden]), select")?.focus();
}

addEventListener("hashchange", openTarget);
openTarget();
