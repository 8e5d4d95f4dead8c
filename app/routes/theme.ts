import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { readForm } from "~/utils/form.server";
import { isThemeChoice, themeCookie } from "~/utils/preferences";
import { safeRedirect } from "~/utils/redirect";

// The theme switch in the header: light, dark or the system's, remembered in a cookie that
// the root loader reads, so the page is drawn in the right colours from the first byte.

export function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const { formData } = await readForm(request, { fields: ["theme", "redirectTo"] });
  const theme = formData.get("theme");
  if (!isThemeChoice(theme)) throw data("Choose a light, dark or system theme.", { status: 400 });
  const headers = { "Set-Cookie": themeCookie(theme), "Cache-Control": "no-store" };
  // Without JavaScript the form names the page to go back to; with it, the page stays.
  const redirectTo = formData.get("redirectTo");
  return typeof redirectTo === "string" && redirectTo ? redirect(safeRedirect(redirectTo), { headers }) : data({ theme }, { headers });
}
