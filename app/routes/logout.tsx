import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { readForm } from "~/utils/form.server";
import { logout } from "~/utils/session.server";
import { textField } from "~/utils/validation";

// Logging out changes state, so it is a POST (the header's form); a GET just goes home.
export async function loader() {
  return redirect("/");
}

// Back to the page the header's form was on (a local path only: logout() checks it).
export async function action({ request }: ActionFunctionArgs) {
  const { formData } = await readForm(request, { fields: ["redirectTo"] });
  return logout(request, textField(formData, "redirectTo") || null);
}
