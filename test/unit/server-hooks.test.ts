import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, expect, it } from "vitest";
import { addRequestHook, type RequestHookName } from "~/utils/server-hooks.server";

const server = http.createServer((_request, response) => response.end("from the app"));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it("runs hooks in their fixed order whatever order they were added in, then the app", async () => {
  const ran: string[] = [];
  const names: RequestHookName[] = ["page-cache", "client-address", "connections", "same-origin", "images"];
  for (const name of names) {
    addRequestHook(name, (_server, _request, _response, next) => {
      ran.push(name);
      return next();
    });
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/`);
  expect(await response.text()).toBe("from the app");
  // Connection handling first, so it also covers what the images and kept pages answer.
  expect(ran).toEqual(["connections", "images", "page-cache", "same-origin", "client-address"]);
});
