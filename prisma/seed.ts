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
    alt: "Green hills under a pale blue sky, with a low orange sun",
  },
  {
    author: "bob",
    title: "Notes on sourdough",
    text: "Day 1: flour and water, 1:1.\nDay 3: bubbles!\nDay 5: first loaf, dense but edible.",
    picture: ["#d7bde2", "#e74c3c", "#784212"],
    alt: "Brown hills against a lilac sky and a red sun",
  },
  {
    author: "alice",
    title: "Reading list",
    text: "- The Left Hand of Darkness\n- Piranesi\n- A Psalm for the Wild-Built",
    picture: null,
    alt: "",
  },
  {
    author: "bob",
    title: "How I write these notes, in Markdown",
    text: `Posts on Quill are written in **Markdown**, so a few marks go a long way. This one shows most of them.

## Lists and tasks

- Plain lists, with *emphasis* and \`inline code\`
- Links like [the CommonMark spec](https://commonmark.org) and bare ones: https://example.com/a/rather/long/address/that/has/to/wrap/somewhere
- ~~Crossed out~~ when plans change

And a list of things to do:

- [x] Feed the starter
- [ ] Bake on Saturday

## A quote

> The best time to plant a tree was twenty years ago. The second best time is now.

## A table

| Day | Flour | Water | Notes |
|:----|------:|------:|:-----:|
| 1 | 50 g | 50 g | mix |
| 3 | 50 g | 50 g | bubbles |
| 5 | 100 g | 75 g | bake |

## Some code

\`\`\`js
const hydration = water / flour; // 0.75 is a good start
\`\`\`

That is all there is to it.`,
    picture: ["#aed6f1", "#f7dc6f", "#117a65"],
    alt: "Teal hills, a yellow sun and a light blue sky",
  },
] as const;

async function main() {
  const users = { alice: await demoUser("alice"), bob: await demoUser("bob") };
  for (const post of POSTS) {
    if (await reader().post.findFirst({ where: { title: post.title }, select: { id: true } })) continue;
    const image = post.picture ? await processImage(new Uint8Array(await landscape(post.picture))) : null;
    await createPost({ input: { title: post.title, text: post.text }, ownerId: users[post.author].id, image, imageAlt: post.alt });
  }
  const count = await reader().post.count();
  console.log(`Seeded: users alice and bob (password "${DEMO_PASSWORD}"), ${count} posts in all.`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => closeDatabase());
