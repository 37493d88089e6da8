/**
 * Photos shrunk in the browser before they are sent, with a visible evidence stamp (水印).
 *
 * A file input marked `data-photos` (the report forms, the result and verification forms)
 * gets a thumbnail per chosen photo with a remove button. Each photo is decoded upright
 * (`createImageBitmap` with `imageOrientation: "from-image"` applies the camera's EXIF
 * orientation), its longest side brought to MAX_SIDE and kept as a JPEG. When the form is
 * sent, `photosPrepare(form)` draws the stamp — capture time, grid name, case number when
 * known — on each photo, encodes it at QUALITY and writes the capture time into the JPEG's
 * EXIF (DateTimeOriginal with its UTC offset), which the server stores (`photos.py`). The
 * input's files are then the small stamped photos, so an ordinary form submission sends
 * them too. A browser that cannot decode a picture (an iPhone HEIC in some browsers) sends
 * it unchanged: the server accepts or refuses it with its usual message.
 */
const MAX_SIDE = 1600;
const QUALITY = 0.8;
const KEPT_QUALITY = 0.92; // the unstamped copy kept until sending (and in drafts)

const controllers = new WeakMap();

function pad(number) {
  return String(number).padStart(2, "0");
}

/** "2026-12-04 18:30" in the browser's time zone, as people read it on the stamp. */
export function stampTime(date) {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

function exifTime(date) {
  return (
    `${date.getFullYear()}:${pad(date.getMonth() + 1)}:${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

function exifOffset(date) {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * An EXIF APP1 segment holding only DateTimeOriginal (0x9003) and OffsetTimeOriginal
 * (0x9011): big-endian TIFF, IFD0 with the Exif IFD pointer, the Exif IFD, then the strings.
 */
function exifSegment(date) {
  const when = new TextEncoder().encode(`${exifTime(date)}\0`); // 20 bytes
  const offset = new TextEncoder().encode(`${exifOffset(date)}\0`); // 7 bytes
  const ifd0 = 8;
  const exifIfd = ifd0 + 2 + 12 + 4;
  const strings = exifIfd + 2 + 2 * 12 + 4;
  const tiff = new DataView(new ArrayBuffer(strings + when.length + offset.length));
  const bytes = new Uint8Array(tiff.buffer);
  tiff.setUint16(0, 0x4d4d); // "MM"
  tiff.setUint16(2, 42);
  tiff.setUint32(4, ifd0);
  const entry = (at, tag, type, count, value) => {
    tiff.setUint16(at, tag);
    tiff.setUint16(at + 2, type);
    tiff.setUint32(at + 4, count);
    tiff.setUint32(at + 8, value);
  };
  tiff.setUint16(ifd0, 1);
  entry(ifd0 + 2, 0x8769, 4, 1, exifIfd); // LONG: where the Exif IFD starts
  tiff.setUint32(ifd0 + 14, 0);
  tiff.setUint16(exifIfd, 2);
  entry(exifIfd + 2, 0x9003, 2, when.length, strings); // ASCII
  entry(exifIfd + 14, 0x9011, 2, offset.length, strings + when.length);
  tiff.setUint32(exifIfd + 26, 0);
  bytes.set(when, strings);
  bytes.set(offset, strings + when.length);
  const header = new Uint8Array([0xff, 0xe1, 0, 0, 0x45, 0x78, 0x69, 0x66, 0, 0]); // "Exif\0\0"
  new DataView(header.buffer).setUint16(2, header.length - 2 + bytes.length);
  return [header, bytes];
}

async function withCaptureTime(jpeg, date) {
  const bytes = new Uint8Array(await jpeg.arrayBuffer());
  // after the SOI marker (FF D8) and the JFIF APP0 segment that canvas JPEGs start with
  let at = 2;
  if (bytes[2] === 0xff && bytes[3] === 0xe0) at = 4 + ((bytes[4] << 8) | bytes[5]);
  return new Blob([bytes.subarray(0, at), ...exifSegment(date), bytes.subarray(at)], {
    type: "image/jpeg",
  });
}

function canvasBlob(canvas, quality) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("encode"))), "image/jpeg", quality),
  );
}

/** The photo upright, its longest side at most MAX_SIDE, on a canvas. */
async function upright(blob) {
  const bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas;
}

/** A dark band along the bottom with the stamp's lines in white. */
function drawStamp(canvas, lines) {
  const context = canvas.getContext("2d");
  const size = Math.max(14, Math.round(Math.min(canvas.width, canvas.height) / 28));
  const gap = Math.round(size * 0.4);
  const band = lines.length * (size + gap) + gap;
  context.fillStyle = "rgba(0, 0, 0, 0.55)";
  context.fillRect(0, canvas.height - band, canvas.width, band);
  context.fillStyle = "#fff";
  context.font = `${size}px "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif`;
  context.textBaseline = "top";
  lines.forEach((line, index) => {
    context.fillText(line, gap, canvas.height - band + gap + index * (size + gap), canvas.width - 2 * gap);
  });
}

/** What the stamp says for this input: its place and case come from the page. */
function stampLines(input, taken) {
  const form = input.form;
  const select = form?.querySelector("select[name=area]");
  const chosen = select?.selectedOptions[0];
  const place = (chosen && chosen.value ? chosen.textContent : input.dataset.stampPlace || "").trim();
  const number = input.dataset.stampCase || "";
  return [stampTime(taken), [place, number].filter(Boolean).join(" · ")].filter(Boolean);
}

class PhotoList {
  constructor(input) {
    this.input = input;
    this.items = []; // {blob, name, taken: Date, url, raw: true when it could not be decoded}
    this.busy = Promise.resolve();
    this.list = document.createElement("ul");
    this.list.className = "photo-thumbs";
    input.after(this.list);
    input.addEventListener("change", () => this.add([...input.files]));
  }

  add(files) {
    this.busy = this.busy.then(async () => {
      for (const file of files) {
        const taken = new Date(file.lastModified || Date.now());
        try {
          const blob = await canvasBlob(await upright(file), KEPT_QUALITY);
          this.items.push({ blob, name: file.name, taken, url: URL.createObjectURL(blob) });
        } catch {
          this.items.push({ blob: file, name: file.name, taken, url: "", raw: true });
        }
      }
      this.sync();
    });
    return this.busy;
  }

  /** Put photos back (a draft): [{blob, name, taken}] already shrunk. */
  restore(saved) {
    for (const item of saved) this.items.push({ ...item, url: URL.createObjectURL(item.blob) });
    this.sync();
  }

  remove(item) {
    this.items = this.items.filter((other) => other !== item);
    if (item.url) URL.revokeObjectURL(item.url);
    this.sync();
  }

  setFiles(files) {
    const transfer = new DataTransfer();
    files.forEach((file) => transfer.items.add(file));
    this.input.files = transfer.files;
  }

  sync() {
    const { remove } = this.input.dataset;
    this.list.replaceChildren(
      ...this.items.map((item) => {
        const row = document.createElement("li");
        if (item.url) {
          const image = document.createElement("img");
          image.src = item.url;
          image.alt = item.name;
          row.append(image);
        } else {
          row.append(item.name);
        }
        const button = document.createElement("button");
        button.type = "button";
        button.className = "photo-remove";
        button.textContent = remove || "×";
        button.setAttribute("aria-label", `${remove || "×"} ${item.name}`);
        button.addEventListener("click", () => this.remove(item));
        row.append(button);
        return row;
      }),
    );
    // without the stamp yet: a submission that does not go through photosPrepare stays small
    this.setFiles(this.items.map((item) => new File([item.blob], item.name, { type: item.blob.type })));
    this.input.dispatchEvent(new CustomEvent("photos-changed", { bubbles: true }));
  }

  /** Stamp and encode every photo, and make them the input's files. */
  async prepare() {
    await this.busy;
    const files = [];
    for (const item of this.items) {
      if (item.raw) {
        files.push(new File([item.blob], item.name, { type: item.blob.type }));
        continue;
      }
      const canvas = await upright(item.blob);
      drawStamp(canvas, stampLines(this.input, item.taken));
      const jpeg = await withCaptureTime(await canvasBlob(canvas, QUALITY), item.taken);
      const name = item.name.replace(/\.[^.]*$/, "") + ".jpg";
      files.push(new File([jpeg], name, { type: "image/jpeg", lastModified: item.taken.getTime() }));
    }
    this.setFiles(files);
  }
}

/** The photo list of a `data-photos` input (made on first use). */
export function photoList(input) {
  if (!controllers.has(input)) controllers.set(input, new PhotoList(input));
  return controllers.get(input);
}

export function photosEnhance(root) {
  if (!window.createImageBitmap || !window.DataTransfer) return;
  root.querySelectorAll("input[type=file][data-photos]").forEach(photoList);
}

/** Before a form is sent: every enhanced photo input holds its stamped, shrunk photos. */
export async function photosPrepare(form) {
  const inputs = [...form.querySelectorAll("input[type=file][data-photos]")];
  await Promise.all(inputs.filter((input) => controllers.has(input)).map((input) => photoList(input).prepare()));
}
