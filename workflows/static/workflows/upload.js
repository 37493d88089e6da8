/**
 * Sending a form with its photos: XMLHttpRequest (fetch reports no upload progress), a
 * progress bar while the bytes go up, and a send button that shows it is busy.
 */

/** The form's progress bar (`progress.upload-progress` in the form, made when missing). */
function progressBar(form) {
  let bar = form.querySelector("progress.upload-progress");
  if (!bar) {
    bar = document.createElement("progress");
    bar.className = "upload-progress";
    bar.max = 100;
    bar.hidden = true;
    form.querySelector("button[type=submit]")?.before(bar);
  }
  return bar;
}

/** Mark the send button busy (disabled, `aria-busy`, its text saying so) or idle again. */
export function buttonBusy(form, busy) {
  const button = form.querySelector("button[type=submit]");
  if (!button) return;
  if (busy && !button.dataset.idleText) button.dataset.idleText = button.textContent;
  button.disabled = busy;
  button.setAttribute("aria-busy", String(busy));
  button.classList.toggle("busy", busy);
  const sending = form.dataset.sending || button.dataset.sending;
  if (busy && sending) button.textContent = sending;
  if (!busy && button.dataset.idleText) button.textContent = button.dataset.idleText;
}

/**
 * POST `body` to the form's action. Resolves with {status, redirected, url, html}; rejects
 * when nothing came back (no network, or the answer was lost).
 */
export function formSend(form, body) {
  const bar = progressBar(form);
  const target = new URL(form.action, location.href).href;
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", target);
    request.setRequestHeader("X-Requested-With", "fetch");
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      bar.hidden = false;
      bar.value = Math.round((100 * event.loaded) / event.total);
      bar.textContent = `${bar.value}%`;
    });
    request.addEventListener("load", () => {
      bar.hidden = true;
      const url = request.responseURL || target;
      const type = request.getResponseHeader("Content-Type") || "";
      resolve({ status: request.status, redirected: url !== target, url, type, html: request.responseText });
    });
    const failed = () => {
      bar.hidden = true;
      reject(new Error("network"));
    };
    request.addEventListener("error", failed);
    request.addEventListener("abort", failed);
    bar.value = 0;
    request.send(body);
  });
}
