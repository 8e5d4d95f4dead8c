import { reader } from "~/utils/db.server";

/** 200 when the database answers a trivial query, 503 when it does not. */
export async function loader() {
  const headers = new Headers({ "Cache-Control": "no-store" });
  try {
    // Reads a real table (not just `SELECT 1`), so a missing or damaged file is noticed.
    await reader().user.findFirst({ select: { id: true } });
    return Response.json({ status: "ok" }, { headers });
  } catch (error) {
    console.error("[healthz] database check failed", error);
    return Response.json({ status: "failed", reason: "The database is not answering." }, { status: 503, headers });
  }
}
