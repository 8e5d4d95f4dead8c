import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { PostForm } from "~/components/post-form";
import { createPost } from "~/models/post.server";
import { busyFormOrThrow, readPostSubmission, retryAfterHeaders } from "~/utils/post-form.server";
import { requireUser } from "~/utils/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";

export const meta: MetaFunction = () => [{ title: "New post · Quill" }];

export const headers = retryAfterHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = await readPostSubmission(request, user.id);
  if (!submission.ok) {
    return data(
      { errors: submission.errors, values: submission.values },
      { status: submission.status, headers: submission.status === 503 ? { "Retry-After": "5" } : undefined },
    );
  }
  try {
    const post = await createPost({ input: submission.input, ownerId: user.id, image: submission.image });
    return redirect(`/${post.id}`);
  } catch (error) {
    return busyFormOrThrow(error, submission.input);
  }
}

export default function NewPost() {
  const actionData = useActionData<typeof action>();
  return (
    <main className="page narrow">
      <h1>New post</h1>
      <PostForm
        defaultValues={actionData?.values ?? { title: "", text: "" }}
        errors={actionData?.errors}
        submitLabel="Publish"
        pendingLabel="Publishing…"
      />
    </main>
  );
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
