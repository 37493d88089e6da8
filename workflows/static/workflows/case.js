/**
 * The case page: a one-tap link from a workbench (…#action-resolve) opens that action's
 * form and puts the cursor in its first field. Forms with photos (the result, the on-site
 * verification) shrink and stamp them in the browser (photos.js) and send them with a
 * progress bar and a busy button (upload.js); the answer is followed like a normal POST.
 * The verification form sends the verifier's location with an on-site photo.
 */
import { photosEnhance, photosPrepare } from "./photos.js";
import { buttonBusy, formSend } from "./upload.js";

function openTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (!(target instanceof HTMLDetailsElement)) return;
  target.open = true;
  target.scrollIntoView({ block: "start" });
  target.querySelector("textarea, input:not([type=hidden]), select")?.focus();
}

/** A form with enhanced photos goes by XMLHttpRequest; its answer replaces the page. */
function photoFormSetup(form) {
  form.addEventListener("submit", async (event) => {
    if (event.defaultPrevented || !window.XMLHttpRequest) return;
    event.preventDefault();
    buttonBusy(form, true);
    let answer;
    try {
      await photosPrepare(form);
      answer = await formSend(form, new FormData(form));
    } catch {
      buttonBusy(form, false);
      form.submit(); // no answer: let the browser try, and show its own error page
      return;
    }
    if (answer.redirected) {
      location.assign(answer.url);
      return;
    }
    buttonBusy(form, false);
    const main = new DOMParser().parseFromString(answer.html, "text/html").querySelector("main.page");
    if (!main) {
      location.reload();
      return;
    }
    document.querySelector("main.page").replaceWith(main);
    setup(main); // the form with its errors, or whatever the answer shows
    main.querySelector("[role=alert], .errorlist")?.scrollIntoView({ block: "center" });
  });
}

/** 核查 on site: the verifier's location goes with the on-site photo (the server compares). */
function verifyLocation(form) {
  const status = form.querySelector(".verify-location");
  const lat = form.querySelector('input[name$="latitude"]'); // names carry the action's prefix
  const lng = form.querySelector('input[name$="longitude"]');
  if (!status || !lat || !lng) return;
  let asked = false;
  const locate = () => {
    const onsite = form.querySelector('input[name$="method"]:checked')?.value === "onsite";
    if (!onsite || asked) return;
    asked = true;
    if (!("geolocation" in navigator)) {
      status.textContent = status.dataset.denied;
      return;
    }
    status.textContent = status.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        status.textContent = status.dataset.found;
      },
      () => {
        asked = false; // ask again when the person tries once more
        status.textContent = status.dataset.denied;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
    );
  };
  form.addEventListener("change", locate);
  form.closest("details")?.addEventListener("toggle", locate);
  if (form.closest("details")?.open) locate();
}

function setup(root) {
  photosEnhance(root);
  root.querySelectorAll("form").forEach(verifyLocation);
  root.querySelectorAll("form").forEach((form) => {
    if (form.querySelector("input[type=file][data-photos]")) photoFormSetup(form);
  });
}

addEventListener("hashchange", openTarget);
openTarget();
setup(document);
