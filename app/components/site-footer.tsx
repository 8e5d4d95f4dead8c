export function SiteFooter() {
  return (
    <footer className="site-footer">
      <p>Quill: posts written and edited together, in Markdown.</p>
      <p>
        <a href="/feed.xml">Atom feed</a> · <a href="/api">JSON API</a>
      </p>
    </footer>
  );
}
