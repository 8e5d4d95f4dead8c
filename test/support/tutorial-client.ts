// The aiohttp tutorial's command-line API client (click + aiohttp), as it talks: the same
// requests, bodies and checks, so a test can tell whether that script works unmodified.
//
// - `--base-url http://alice:TOKEN@host`: aiohttp takes the URL's user info as HTTP Basic
//   auth (BasicAuth.from_url) and sends the request to the URL without it;
// - `--user NAME` ("Anonymous" by default) goes into every body as owner or editor;
// - every 4xx and 5xx is an error (raise_for_status), answers are read with resp.json()
//   (which insists on a JSON Content-Type) and only `ret["data"]` is looked at;
// - records are strict: `Post(**item)` fails on any key it does not have, or one missing.

export type TutorialPost = { id: number; owner: string; editor: string; title: string; text: string | null };

export class ClientResponseError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`${status}: ${body}`);
  }
}

const POST_KEYS = ["id", "owner", "editor", "title", "text"] as const;

/** `Post(**item)` (one post) or `Post(text=None, **item)` (a listed one): exactly the dataclass's keys. */
export function strictPost(item: unknown, listed: boolean): TutorialPost {
  if (typeof item !== "object" || item === null || Array.isArray(item)) throw new TypeError(`Post() argument after ** must be a mapping, not ${JSON.stringify(item)}`);
  const record = item as Record<string, unknown>;
  const expected = listed ? POST_KEYS.filter((key) => key !== "text") : POST_KEYS;
  for (const key of Object.keys(record)) {
    if (!(expected as readonly string[]).includes(key)) throw new TypeError(`__init__() got an unexpected keyword argument '${key}'`);
  }
  for (const key of expected) if (!(key in record)) throw new TypeError(`__init__() missing 1 required positional argument: '${key}'`);
  return { ...(record as Omit<TutorialPost, "text">), text: listed ? null : (record.text as string) };
}

export class TutorialClient {
  private readonly base: URL;
  private readonly authorization: string | undefined;

  constructor(
    baseUrl: string,
    private readonly user = "Anonymous",
  ) {
    const url = new URL(baseUrl);
    // yarl decodes the user info; aiohttp encodes "user:password" as latin-1 by default.
    this.authorization = url.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`, "latin1").toString("base64")}`
      : undefined;
    url.username = "";
    url.password = "";
    this.base = url;
  }

  private async request(method: string, path: string, json?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Accept: "*/*", "User-Agent": "Python/3.11 aiohttp/3.9" };
    if (this.authorization) headers.Authorization = this.authorization;
    if (json !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(new URL(path, this.base), { method, headers, body: json === undefined ? undefined : JSON.stringify(json), redirect: "follow" });
    if (response.status >= 400) throw new ClientResponseError(response.status, await response.text());
    return response;
  }

  /** `resp.json()`: refuses a body not sent as JSON, then `ret["data"]`. */
  private async data(response: Response): Promise<unknown> {
    const type = response.headers.get("Content-Type") ?? "";
    if (!/^application\/json/.test(type)) throw new TypeError(`Attempt to decode JSON with unexpected mimetype: ${type}`);
    const ret = (await response.json()) as { data: unknown };
    return ret.data;
  }

  async list(): Promise<TutorialPost[]> {
    const data = await this.data(await this.request("GET", "api"));
    if (!Array.isArray(data)) throw new TypeError("data is not a list");
    return data.map((item) => strictPost(item, true));
  }

  async get(id: number): Promise<TutorialPost> {
    return strictPost(await this.data(await this.request("GET", `api/${id}`)), false);
  }

  async create(title: string, text: string): Promise<TutorialPost> {
    return strictPost(await this.data(await this.request("POST", "api", { owner: this.user, title, text })), false);
  }

  async update(id: number, { title, text }: { title?: string; text?: string }): Promise<TutorialPost> {
    const json: Record<string, string> = { editor: this.user };
    if (title !== undefined) json.title = title;
    if (text !== undefined) json.text = text;
    return strictPost(await this.data(await this.request("PATCH", `api/${id}`, json)), false);
  }

  /** Needs a 2xx; reads nothing. */
  async delete(id: number): Promise<void> {
    await this.request("DELETE", `api/${id}`);
  }
}
