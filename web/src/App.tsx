import { lazy, Suspense, useEffect } from "react";
import { ChainFooter } from "./components/ChainFooter.tsx";
import { ConnectButton } from "./components/ConnectButton.tsx";
import { NetworkBanner } from "./components/NetworkBanner.tsx";
import { type Page, useHashRoute } from "./useHashRoute.ts";

// Each page is its own chunk: the first page loads only what it needs.
const pageComponents = {
  keys: lazy(() => import("./pages/MyKeysPage.tsx")),
  register: lazy(() => import("./pages/RegisterPage.tsx")),
  rotate: lazy(() => import("./pages/RotatePage.tsx")),
  revoke: lazy(() => import("./pages/RevokePage.tsx")),
  governance: lazy(() => import("./pages/GovernancePage.tsx")),
  lookup: lazy(() => import("./pages/LookupPage.tsx")),
  owner: lazy(() => import("./pages/OwnerPage.tsx")),
} satisfies Record<Page, unknown>;

const navigation: { page: Page; title: string }[] = [
  { page: "keys", title: "My keys" },
  { page: "register", title: "Register" },
  { page: "rotate", title: "Rotate" },
  { page: "revoke", title: "Revoke" },
  { page: "governance", title: "Governance" },
  { page: "lookup", title: "Look-up" },
];

export function App() {
  const route = useHashRoute();
  const PageComponent = pageComponents[route.page];
  // On narrow screens the navigation scrolls sideways: keep the current page's tab in view.
  useEffect(() => {
    document.querySelector('.site-header nav a[aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [route.page]);
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="site-header">
        <div className="brand">
          <img src="./favicon.svg" alt="" width="28" height="28" />
          <span>KeyLedger</span>
        </div>
        <nav aria-label="Main">
          <ul>
            {navigation.map((item) => (
              <li key={item.page}>
                <a href={`#/${item.page}`} aria-current={route.page === item.page ? "page" : undefined}>
                  {item.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectButton />
      </header>
      <NetworkBanner />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          <PageComponent param={route.param} />
        </Suspense>
      </main>
      <ChainFooter />
    </>
  );
}
