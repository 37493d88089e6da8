/**
 * The report forms on a phone (case_new.html, report_public.html).
 *
 * - Location: asks the browser for the position once the page opens (and on the button),
 *   fills the hidden latitude/longitude and picks the grid the server finds there; when the
 *   point is outside every grid it says so and leaves the grid list to the person.
 * - Photos: shrunk and stamped in the browser (photos.js), with thumbnails and remove buttons.
 * - Drafts: what was typed and chosen, photos included, is kept until the report is sent
 *   (drafts.js).
 * - Already reported close by? The cases of the chosen category near the place, to add
 *   oneself to instead of reporting again (nearby.js).
 * - Sending: the form goes by XMLHttpRequest with a progress bar (upload.js). A network
 *   failure keeps everything on the page (photos included) and sends again with growing pauses, at once when the phone comes
 *   back online, or on "Send now". The form's submission key makes a repeat harmless: the
 *   server answers with the case the first sending made.
 * - Refusals (429 too many, 413 too large, 403, 404, 500) answer JSON {code, detail,
 *   retry_after}: the message is shown under the form, which keeps what was typed.
 * Without JavaScript the form is an ordinary multipart POST (refusals are then pages).
 */
import { draftDiscard, draftKeep } from "./drafts.js";
import { nearbySetup } from "./nearby.js";
import { photoList, photosEnhance, photosPrepare } from "./photos.js";
import { buttonBusy, formSend } from "./upload.js";

const RETRY_DELAYS = [2, 4, 8, 15, 30]; // seconds between attempts, then every 30 s

function setupLocation(form) {
  const box = form.querySelector(".location");
  const select = form.querySelector("select[name=area]");
  const lat = form.querySelector("input[name=latitude]");
  const lng = form.querySelector("input[name=longitude]");
  if (!box || !select || !lat || !lng) return;
  const status = box.querySelector(".locate-status");
  const say = (message) => (status.textContent = message);

  async function located(position) {
    const { latitude, longitude } = position.coords;
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    form.dispatchEvent(new CustomEvent("located")); // the nearby list looks again
    const url = `${box.dataset.locateUrl}?lat=${lat.value}&lng=${lng.value}`;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      const body = await response.json();
      const option = body.area && select.querySelector(`option[value="${body.area.pk}"]`);
      if (option) {
        select.value = String(body.area.pk);
        say(`${box.dataset.found} ${body.area.name} (${body.area.code})`);
      } else {
        say(body.error || box.dataset.denied);
        select.focus();
      }
    } catch {
      say(box.dataset.denied); // the server will still find the grid from the coordinates
    }
  }

  function locate() {
    if (!("geolocation" in navigator)) {
      say(box.dataset.unavailable);
      return;
    }
    say(box.dataset.locating);
    navigator.geolocation.getCurrentPosition(located, () => say(box.dataset.denied), {
      enableHighAccuracy: true,
      timeout: 15000,
      maximumAge: 60000,
    });
  }

  box.querySelector(".locate").addEventListener("click", locate);
  if (!select.value && !lat.value) locate();
}

function setupSending(form) {
  const status = form.querySelector(".send-status");
  let attempt = 0;
  let timer = null;
  let sending = false;

  function refused(code, detail) {
    status.textContent = detail || form.dataset.refused.replace("{status}", code);
    status.dataset.state = "refused";
    status.setAttribute("role", "alert");
    status.scrollIntoView({ block: "center" });
  }

  /** The server's answer other than a redirect: a refusal (JSON) or the form with errors. */
  function answered(answer) {
    if (answer.type.includes("application/json")) {
      let body = {};
      try {
        body = JSON.parse(answer.html);
      } catch {
        // not the refusal format: the generic message below
      }
      refused(answer.status, body.detail);
      return;
    }
    const main = new DOMParser().parseFromString(answer.html, "text/html").querySelector("main.page");
    // a page with the form (and its errors), or some other answer (e.g. a proxy's 502 page)
    if (main?.querySelector("form.report-form")) replacePage(main);
    else refused(answer.status, "");
  }

  function replacePage(main) {
    // the form with its errors: keep the photos the person already chose
    const input = form.querySelector("input[type=file][data-photos]");
    const kept = input ? photoList(input).items : [];
    document.querySelector("main.page").replaceWith(main);
    const again = main.querySelector("form.report-form");
    if (again) init(again, kept);
    main.querySelector("[role=alert], .errorlist")?.scrollIntoView({ block: "center" });
  }

  function offline() {
    const delay = RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)];
    attempt += 1;
    status.replaceChildren(document.createTextNode(form.dataset.offline.replace("{seconds}", delay)));
    const now = document.createElement("button");
    now.type = "button";
    now.className = "link";
    now.textContent = form.dataset.retryNow;
    now.addEventListener("click", send);
    status.append(" ", now);
    status.dataset.state = "offline";
    timer = setTimeout(send, delay * 1000);
  }

  async function send() {
    clearTimeout(timer);
    if (sending) return;
    sending = true;
    buttonBusy(form, true);
    status.textContent = form.dataset.sending;
    status.dataset.state = "sending";
    let answer;
    try {
      await photosPrepare(form); // shrunk and stamped (photos.js)
      answer = await formSend(form, new FormData(form));
    } catch {
      sending = false;
      buttonBusy(form, false);
      offline(); // nothing arrived, or the answer was lost: the key makes resending safe
      return;
    }
    sending = false;
    buttonBusy(form, false);
    if (answer.redirected) {
      await draftDiscard(form);
      location.assign(answer.url);
      return;
    }
    status.textContent = "";
    status.setAttribute("role", "status");
    delete status.dataset.state;
    answered(answer);
  }

  form.addEventListener("submit", (event) => {
    if (!window.FormData || !window.XMLHttpRequest) return;
    event.preventDefault();
    attempt = 0;
    send();
  });
  addEventListener("online", () => status.dataset.state === "offline" && send());
}

/** Set up a report form; `kept`: the photos of the form it replaces (after an error). */
function init(form, kept = null) {
  photosEnhance(form);
  const input = form.querySelector("input[type=file][data-photos]");
  if (kept && input) photoList(input).restore(kept);
  draftKeep(form, { restore: !kept }); // first: a restored grid or place is not located again
  setupLocation(form);
  setupSending(form);
  nearbySetup(form);
}

document.querySelectorAll("form.report-form").forEach(init);
