// `npx prisma db seed`: two demo accounts and a few posts with images, made here with
// sharp rather than committed as binary files. Running it twice changes nothing.
import sharp from "sharp";
import { createPost } from "~/models/post.server";
import { createUser, verifyLogin, type SessionUser } from "~/models/user.server";
import { closeDatabase, reader } from "~/utils/db.server";
import { processImage } from "~/utils/image.server";

export const DEMO_PASSWORD = "quill-demo-1";

async function demoUser(username: string): Promise<SessionUser> {
  const created = await createUser({ username, password: DEMO_PASSWORD });
  if (created !== "taken") return created;
  const existing = await verifyLogin({ username, password: DEMO_PASSWORD });
  if (!existing) throw new Error(`${username} exists with another password; not touching it`);
  return existing;
}

/** A simple landscape: sky gradient, a sun and hills, in the given colours. */
function landscape([sky, sun, hills]: readonly [string, string, string]) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
    <defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="#fdf6e3"/></linearGradient></defs>
    <rect width="1600" height="1000" fill="url(#s)"/>
    <circle cx="1150" cy="320" r="140" fill="${sun}"/>
    <path d="M0 760 Q 400 560 800 740 T 1600 700 V 1000 H 0 Z" fill="${hills}"/>
    <path d="M0 860 Q 500 720 1000 860 T 1600 840 V 1000 H 0 Z" fill="${hills}" opacity="0.7"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const POSTS = [
  {
    author: "alice",
    title: "Morning at the harbour",
    text: "The boats went out before six.\n\nBy seven the fog had lifted and the whole bay was gold.",
    picture: ["#7fb3d5", "#f5b041", "#1e8449"],
  },
  {
    author: "bob",
    title: "Notes on sourdough",
    text: "Day 1: flour and water, 1:1.\nDay 3: bubbles!\nDay 5: first loaf, dense but edible.",
    picture: ["#d7bde2", "#e74c3c", "#784212"],
  },
  {
    author: "alice",
    title: "Reading list",
    text: "- The Left Hand of Darkness\n- Piranesi\n- A Psalm for the Wild-Built",
    picture: null,
  },
] as const;

async function main() {
  const users = { alice: await demoUser("alice"), bob: await demoUser("bob") };
  for (const post of POSTS) {
    if (await reader().selectFrom("Post").select("id").where("title", "=", post.title).executeTakeFirst()) continue;
    const image = post.picture ? await processImage(new Uint8Array(await landscape(post.picture))) : null;
    await createPost({ input: { title: post.title, text: post.text }, ownerId: users[post.author].id, image });
  }
  const { count } = await reader().selectFrom("Post").select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
  console.log(`Seeded: users alice and bob (password "${DEMO_PASSWORD}"), ${count} posts in all.`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => closeDatabase());
