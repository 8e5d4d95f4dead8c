/** What a route module may say about itself in its `handle` export. */
export type RouteHandle = {
  /**
   * The page looks the same to every visitor who is not signed in: what it shows depends
   * only on its URL and the database. Such pages are kept after rendering and answered
   * from memory until the database changes (app/utils/page-cache.server.ts).
   */
  samePageForVisitors?: boolean;
};
