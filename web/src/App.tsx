import { lazy, Suspense, useEffect } from "react";
import { ChainFooter } from "./components/ChainFooter.tsx";
import { ConnectButton } from "./components/ConnectButton.tsx";
import { useConnection } from "wagmi";
import { NetworkBanner } from "./components/NetworkBanner.tsx";
import { RecentTransactions } from "./components/RecentTransactions.tsx";
import { type Page, useHashRoute } from "./useHashRoute.ts";

// Each page is its own chunk: the first page loads only what it needs.
const pageComponents = {
  keys: lazy(() => import("./pages/MyKeysPage.tsx")),
  register: lazy(() => import("./pages/RegisterPage.tsx")),
  rotate: lazy(() => import("./pages/RotatePage.tsx")),
  revoke: lazy(() => import("./pages/RevokePage.tsx")),
  governance: lazy(() => import("./pages/GovernancePage.tsx")),
  lookup: lazy(() => import("./pages/LookupPage.tsx")),
  proposal: lazy(() => import("./pages/ProposalPage.tsx")),
  owner: lazy(() => import("./pages/OwnerPage.tsx")),
  safe: lazy(() => import("./pages/SafeSignPage.tsx")),
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
  const { address } = useConnection();
  // Each page has its own document title (tabs, history, screen readers announce it).
  useEffect(() => {
    const title = route.page === "proposal" ? "Proposal" : route.page === "safe" ? "Sign for a Safe" : (navigation.find((item) => item.page === route.page)?.title ?? "KeyLedger");
    const detail = route.param ? ` ${route.param.length > 14 ? `${route.param.slice(0, 10)}…` : route.param}` : "";
    document.title = `${title}${detail} · KeyLedger`;
  }, [route.page, route.param]);
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
                <a href={`#/${item.page}`} aria-current={route.page === item.page || (route.page === "proposal" && item.page === "governance") ? "page" : undefined}>
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
          {/* Keyed by account: typed inputs and transaction messages belong to the account that made them. */}
          <PageComponent key={address ?? "disconnected"} param={route.param} />
        </Suspense>
        <RecentTransactions />
      </main>
      <ChainFooter />
    </>
  );
}
