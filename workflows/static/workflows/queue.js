/**
 * The department queue, watchable all day (workbench pages with a [data-queue] list).
 *
 * - the browser tab's title starts with the number of parts waiting: "(3) 部门待办 · 网格通";
 * - parts that arrive while the page is open (live.js swaps the page in) are highlighted
 *   (.is-new) until the page is left, newest at the top (the server's order);
 * - an optional sound on arrival, switched by the [data-queue-sound] button (remembered in
 *   localStorage; browsers only play sound after a tap, which the switch is).
 * Without JavaScript the queue works as before.
 */
const SOUND_KEY = "gridcase.queue.sound";
const baseTitle = document.title;
const main = document.querySelector("main.page");
let known = null; // parts seen so far (null: not yet read)
const arrived = new Set();
let audio = null;

function parts() {
  return [...document.querySelectorAll("[data-queue] .case-card[data-case]")];
}

const keyOf = (card) => `${card.dataset.case}:${card.dataset.department}`;

function soundOn() {
  return localStorage.getItem(SOUND_KEY) === "on";
}

function beep() {
  if (!soundOn()) return;
  try {
    audio ??= new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  } catch {
    // no sound in this browser: the highlight and the title still tell
  }
}

function showSwitch() {
  for (const button of document.querySelectorAll("[data-queue-sound]")) {
    button.setAttribute("aria-pressed", String(soundOn()));
  }
}

function update() {
  const cards = parts();
  const keys = cards.map(keyOf);
  let fresh = 0;
  if (known !== null) {
    for (const key of keys) {
      if (!known.has(key)) {
        arrived.add(key);
        fresh += 1;
      }
    }
  }
  known = new Set([...(known ?? []), ...keys]);
  for (const card of cards) card.classList.toggle("is-new", arrived.has(keyOf(card)));
  document.title = cards.length ? `(${cards.length}) ${baseTitle}` : baseTitle;
  showSwitch();
  if (fresh) beep();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-queue-sound]");
  if (!button) return;
  localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
  showSwitch();
  if (soundOn()) beep(); // the tap lets the browser play, and says what it sounds like
});

if (document.querySelector("[data-queue]")) {
  update();
  main?.addEventListener("live:refreshed", update);
}
