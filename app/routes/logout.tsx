import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { assertFormPost } from "~/utils/form.server";
import { logout } from "~/utils/session.server";

// Logging out changes state, so it is a POST (the header's form); a GET just goes home.
export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  assertFormPost(request);
  return logout(request);
}
