import { randomBytes } from "node:crypto";

export const PASSWORD = "correct horse battery";

/** A short unique username, so tests never collide in a shared database. */
export function uniqueUsername(prefix = "user") {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

type Body = Record<string, string> | FormData | URLSearchParams | string | Uint8Array;

export type RequestOptions = {
  method?: string;
  body?: Body;
  headers?: Record<string, string>;
  /** Send an Origin header as a browser would (default: the app's own origin). Null: none. */
  origin?: string | null;
};

/**
 * Talks to the app over real HTTP like a browser with JavaScript off: keeps the session
 * cookie, sends Origin on POSTs, and does not follow redirects (tests look at them).
 */
export class HttpClient {
  cookie: string | null = null;

  constructor(readonly baseUrl: string) {}

  async request(path: string, { method = "GET", body, headers = {}, origin }: RequestOptions = {}) {
    const init: RequestInit = { method, redirect: "manual", headers: { ...headers } };
    const sent = init.headers as Record<string, string>;
    if (this.cookie) sent.Cookie = this.cookie;
    if (method !== "GET" && method !== "HEAD") {
      const sentOrigin = origin === undefined ? this.baseUrl : origin;
      if (sentOrigin !== null) sent.Origin = sentOrigin;
    }
    if (body !== undefined) {
      init.body =
        typeof body === "string" || body instanceof FormData || body instanceof URLSearchParams || body instanceof Uint8Array
          ? (body as BodyInit)
          : new URLSearchParams(body);
    }
    const response = await fetch(new URL(path, this.baseUrl), init);
    const setCookie = response.headers.get("Set-Cookie");
    if (setCookie) {
      const pair = setCookie.split(";")[0];
      // An expired cookie (logout) clears ours.
      this.cookie = /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(setCookie) ? null : pair;
    }
    return response;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request(path, { headers });
  }

  post(path: string, body: Body, options: Omit<RequestOptions, "body" | "method"> = {}) {
    return this.request(path, { ...options, method: "POST", body });
  }

  async signup(username = uniqueUsername(), password = PASSWORD) {
    const response = await this.post("/signup", { username, password, confirmPassword: password });
    if (response.status !== 302) throw new Error(`signup failed: ${response.status} ${await response.text()}`);
    return username;
  }

  async login(username: string, password = PASSWORD) {
    const response = await this.post("/login", { username, password });
    if (response.status !== 302) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  }

  /** Creates a post through the form and answers its id. */
  async createPost(fields: { title: string; text?: string; image?: Blob }) {
    const form = new FormData();
    form.set("title", fields.title);
    form.set("text", fields.text ?? "");
    if (fields.image) form.set("image", fields.image, "image.png");
    const response = await this.post("/new", form);
    const location = response.headers.get("Location") ?? "";
    const match = /^\/(\d+)$/.exec(location);
    if (response.status !== 302 || !match) throw new Error(`create failed: ${response.status} ${await response.text()}`);
    return Number(match[1]);
  }

  /** Sends the edit form of a post; `version` is the one the form was loaded with. */
  editPost(id: number, fields: { title: string; text?: string; image?: Blob; version?: number }) {
    const form = new FormData();
    form.set("title", fields.title);
    form.set("text", fields.text ?? "");
    if (fields.image) form.set("image", fields.image, "image.png");
    if (fields.version !== undefined) form.set("version", String(fields.version));
    return this.post(`/${id}/edit`, form);
  }
}

/** The text a person reads on an HTML page: no tags, scripts or comments; entities decoded. */
export function visibleText(html: string) {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
