/**
 * The report forms' "already reported close by?" list: once a category is chosen and the
 * place is known, the cases of that category near it (open, or closed lately) with their
 * photos, distance and how many others are affected, and a button to add oneself (我也遇到)
 * instead of sending a new report. Data from /cases/nearby/ (views/nearby.py).
 */
import { draftDiscard } from "./drafts.js";

function csrf(form) {
  return form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
}

function fill(text, values) {
  return Object.entries(values).reduce((out, [key, value]) => out.replace(`{${key}}`, value), text);
}

async function follow(form, box, item, row) {
  const body = new FormData();
  for (const name of ["contact_phone", "contact_name"]) {
    const field = form.querySelector(`[name=${name}]`);
    if (field) body.append(name, field.value);
  }
  const say = row.querySelector(".nearby-status");
  let answer;
  try {
    const response = await fetch(box.dataset.followUrl.replace("NUMBER", item.number), {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(form), "X-Requested-With": "fetch" },
    });
    answer = await response.json();
  } catch {
    say.textContent = form.dataset.offline?.replace("{seconds}", "…") || "";
    return;
  }
  say.textContent = answer.error || answer.message;
  say.dataset.state = answer.error ? "error" : "done";
  if (!answer.error) {
    row.querySelector(".nearby-follow")?.remove();
    row.querySelector(".nearby-people").textContent = fill(box.dataset.people, { n: answer.followers });
    await draftDiscard(form); // the problem is on record: nothing left to send
  }
}

function card(form, box, item) {
  const row = document.createElement("li");
  row.className = "nearby-case";
  const photos = document.createElement("div");
  photos.className = "nearby-photos";
  for (const url of item.photos) {
    const image = document.createElement("img");
    image.src = url;
    image.alt = "";
    image.loading = "lazy";
    photos.append(image);
  }
  const text = document.createElement("div");
  const head = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = item.title || `${item.category} · ${item.number}`;
  head.append(strong);
  const facts = document.createElement("p");
  facts.className = "hint";
  const when = new Date(item.reported_at).toLocaleDateString();
  facts.textContent = `${item.status_label} · ${fill(box.dataset.distance, { m: item.distance_m })} · ${when}`;
  const people = document.createElement("p");
  people.className = "nearby-people hint";
  people.textContent = item.followers ? fill(box.dataset.people, { n: item.followers }) : "";
  text.append(head, facts, people);
  if (item.url) {
    const link = document.createElement("a");
    link.href = item.url;
    link.textContent = box.dataset.open;
    text.append(link);
  }
  if (item.may_follow) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "nearby-follow";
    button.textContent = box.dataset.follow;
    button.addEventListener("click", () => follow(form, box, item, row));
    text.append(button);
  }
  const status = document.createElement("p");
  status.className = "nearby-status";
  status.setAttribute("role", "status");
  text.append(status);
  row.append(photos, text);
  return row;
}

export function nearbySetup(form) {
  const box = form.querySelector(".nearby");
  const lat = form.querySelector("input[name=latitude]");
  const lng = form.querySelector("input[name=longitude]");
  if (!box || !lat || !lng) return;
  const list = box.querySelector(".nearby-list");
  let asked = "";

  async function look() {
    const category = form.querySelector("input[name=category]:checked");
    if (!category || !lat.value || !lng.value) return;
    const code = category.dataset.code || category.value;
    const query = new URLSearchParams({ lat: lat.value, lng: lng.value, category: code });
    if (query.toString() === asked) return;
    asked = query.toString();
    let answer;
    try {
      const response = await fetch(`${box.dataset.nearbyUrl}?${query}`, { credentials: "same-origin" });
      answer = await response.json();
    } catch {
      return; // offline: the report can still be sent
    }
    const cases = answer.cases || [];
    list.replaceChildren(...cases.map((item) => card(form, box, item)));
    box.hidden = cases.length === 0;
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "category") look();
  });
  form.addEventListener("located", look);
  look();
}
