import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, type ShouldRevalidateFunction } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PostForm } from "~/components/post-form";
import { createPost } from "~/models/post.server";
import { errorTitle, pageTitle } from "~/utils/meta";
import { busyFormOrThrow, readPostSubmission, retryAfterHeaders } from "~/utils/post-form.server";
import { redirectWithNotice, requireUser } from "~/utils/session.server";
import type { RouteHandle } from "~/utils/route-handle";

export const handle: RouteHandle = { signedInOnly: true };

export const meta: MetaFunction = ({ error }) => [{ title: error ? errorTitle(error) : pageTitle("New post") }];

export const headers = retryAfterHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = await readPostSubmission(request, user.id);
  if (submission.kind === "reply") {
    // 503: the image could not wait its turn to be decoded (image.server.ts).
    return data(submission.reply, { status: submission.status, headers: submission.status === 503 ? { "Retry-After": "5" } : undefined });
  }
  try {
    const image = submission.image === "remove" ? null : submission.image;
    const post = await createPost({ input: submission.input, ownerId: user.id, image, imageAlt: submission.imageAlt });
    return redirectWithNotice(request, `/${post.id}`, "Published: your post is on the front page.");
  } catch (error) {
    return busyFormOrThrow(error, submission);
  }
}

// A preview saves nothing: no loader needs to run again.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "preview" ? false : defaultShouldRevalidate;

export default function NewPost() {
  const reply = useActionData<typeof action>();
  return (
    <main className="page writing">
      <h1>New post</h1>
      <PostForm
        reply={reply}
        defaultValues={{ title: "", text: "", imageAlt: "" }}
        submitLabel="Publish"
        pendingLabel="Publishing…"
        cancelHref="/"
      />
    </main>
  );
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
