/** What a route module may say about itself in its `handle` export. */
export type RouteHandle = {
  /**
   * The page looks the same to every visitor who is not signed in: what it shows depends
   * only on its URL, the database and the cookies in PAGE_VARIANT_COOKIES. Such pages are
   * marked `Cache-Control: public` for those visitors (app/utils/page-caching.server.ts),
   * and the server caches them once rendered until the content changes (server/response-cache.ts).
   */
  samePageForVisitors?: boolean;

  /**
   * Only signed-in users can see the page (it calls requireUser): logging out from it goes
   * to the front page rather than back to it (app/components/site-header.tsx).
   */
  signedInOnly?: boolean;
};
