import { expect } from "vitest";
import { visibleText, type HttpClient } from "./http-client";

// Talking to the JSON API the way a script does, and checking its envelope.

export type Call = { method?: string; json?: unknown; body?: BodyInit; token?: string; headers?: Record<string, string> };

/** A script's request: no cookie, no Origin; JSON bodies get their Content-Type. */
export function callApi(baseUrl: string, path: string, { method = "GET", json, body, token, headers = {} }: Call = {}) {
  const sent: Record<string, string> = { ...headers };
  if (token) sent.Authorization = `Bearer ${token}`;
  if (json !== undefined) sent["Content-Type"] ??= "application/json";
  return fetch(new URL(path, baseUrl), {
    method,
    headers: sent,
    body: json !== undefined ? JSON.stringify(json) : body,
    redirect: "manual",
  });
}

/** The body of a success, after checking the status and that it is JSON. */
export async function ok<T>(response: Response, status = 200): Promise<T & { status: "ok" }> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  const parsed = JSON.parse(body);
  expect(parsed.status).toBe("ok");
  return parsed;
}

/** The reason of a failure: exactly `{"status": "failed", "reason": "..."}`, as JSON. */
export async function failed(response: Response, status: number, reason?: string | RegExp): Promise<string> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  expect(response.headers.get("Content-Type"), body).toMatch(/^application\/json/);
  const parsed = JSON.parse(body);
  expect(parsed).toEqual({ status: "failed", reason: expect.any(String) });
  if (reason !== undefined) expect(parsed.reason).toMatch(reason);
  return parsed.reason;
}

/** Creates a token on the settings page, as a person would, and reads it off the page. */
export async function createToken(browser: HttpClient, name = "my script") {
  const response = await browser.post("/settings/tokens", { intent: "create", name });
  const html = await response.text();
  expect(response.status, html).toBe(200);
  const token = /quill_[A-Za-z0-9_-]{43}/.exec(html)?.[0];
  if (!token) throw new Error(`no token on the page:\n${visibleText(html)}`);
  return token;
}
