//! The shell of the front end: navigation, the screen for the current route, global
//! keyboard shortcuts, theme, and the refresh-on-change subscription.

import { QueryClientProvider, useQuery, type QueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { onChanged } from "./api";
import { api } from "./api";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { HelpOverlay } from "./components/HelpOverlay";
import { Kbd } from "./components/ui";
import { inTextField } from "./lib/hooks";
import { href, navigate, useRoute, type Route } from "./lib/router";
import { useTheme } from "./lib/theme";
import { CustomerEdit, CustomerForm, CustomerScreen, CustomersList } from "./screens/Customers";
import { DashboardScreen } from "./screens/Dashboard";
import { DataScreen, RecoveryScreen, useDataStatus } from "./screens/Data";
import { RecordHistoryScreen } from "./screens/History";
import { TimelineScreen } from "./screens/Timeline";
import { ApprovalsCount, ApprovalsScreen } from "./screens/Approvals";
import { AsOfScreen } from "./screens/AsOf";
import { CompanyScreen } from "./screens/Company";
import { NewOrder, OrderScreen } from "./screens/OrderEntry";
import { OrdersList } from "./screens/OrdersList";
import { ProductScreen, ProductsList } from "./screens/Products";
import { SyncBadge, SyncScreen } from "./screens/Sync";
import { useAppInfo } from "./screens/SyncServer";


const NAV = [
  { to: "orders", label: "Orders", keys: "g o", testId: "nav-orders" },
  { to: "orders/new", label: "New order", keys: "n", testId: "nav-new-order" },
  { to: "customers", label: "Customers", keys: "g c", testId: "nav-customers" },
  { to: "products", label: "Products", keys: "g p", testId: "nav-products" },
  { to: "approvals", label: "Approvals", keys: "g a", testId: "nav-approvals" },
  { to: "timeline", label: "Timeline", keys: "g t", testId: "nav-timeline" },
  { to: "dashboard", label: "Dashboard", keys: "g d", testId: "nav-dashboard" },
  { to: "sync", label: "Sync", keys: "g s", testId: "nav-sync" },
  { to: "data", label: "Data", keys: "g b", testId: "nav-data" },
  { to: "company", label: "Company", keys: "g y", testId: "nav-company" },
];

const GO: Record<string, string> = { a: "approvals", o: "orders", c: "customers", p: "products", t: "timeline", d: "dashboard", s: "sync", b: "data", y: "company" };

function CustomerFilterOrders({ id }: { id: string }) {
  const c = useQuery({ queryKey: ["customer", id], queryFn: () => api.getCustomer(id) });
  if (!c.data) return null;
  return <OrdersList key={id} initialCustomer={{ id, name: c.data.customer.name }} />;
}

/** Says so when the store holds demo data (never connected to a server). */
function DemoBadge() {
  const info = useAppInfo();
  if (!info.data?.demo_data) return null;
  return (
    <a href={href("sync")} className="badge status-draft" data-testid="demo-badge" title="Demo data never goes to a server">
      Demo data
    </a>
  );
}

/** Who is signed in (a store connected to a server); the Sync screen signs them out. */
function PersonBadge() {
  const info = useAppInfo();
  const p = info.data?.person;
  if (!p) {
    if (!info.data?.sign_in_required) return null;
    return (
      <a href={href("sync")} className="badge status-held" data-testid="person-badge" title="Changes wait for a sign-in">
        Not signed in
      </a>
    );
  }
  return (
    <a href={href("sync")} className="muted small" data-testid="person-badge" title="Signed in: sign out on the Sync screen">
      {p.name} · {p.role}
    </a>
  );
}

export function Screen({ route }: { route: Route }) {
  const [a = "orders", b, c] = route.path;
  switch (a) {
    case "orders":
      if (b === "new") return <NewOrder />;
      if (b)
        return (
          <OrderScreen key={b} id={b} focusLine={route.params.get("focus") === "line"} place={route.params.get("place") === "1"} />
        );
      {
        const customer = route.params.get("customer");
        return customer ? <CustomerFilterOrders id={customer} /> : <OrdersList />;
      }
    case "customers":
      if (b === "new") return <CustomerForm key="new" />;
      if (b && c === "edit") return <CustomerEdit key={`${b}-edit`} id={b} />;
      if (b) return <CustomerScreen key={b} id={b} />;
      return <CustomersList />;
    case "products":
      if (b === "new") return <ProductScreen key="new" id={null} />;
      if (b) return <ProductScreen key={b} id={b} />;
      return <ProductsList />;
    case "history":
      if (b && c && Number(c) > 0) return <AsOfScreen key={b} id={b} revision={Number(c)} />;
      return b ? <RecordHistoryScreen key={b} id={b} /> : <TimelineScreen />;
    case "timeline":
      return <TimelineScreen />;
    case "dashboard":
      return <DashboardScreen />;
    case "approvals":
      return <ApprovalsScreen />;
    case "sync":
      return <SyncScreen />;
    case "data":
      return <DataScreen />;
    case "company":
      return <CompanyScreen />;
    default:
      return <OrdersList />;
  }
}

/** The app, or the recovery screen when the store is damaged. */
function Root() {
  const data = useDataStatus();
  if (data.data?.damaged) return <RecoveryScreen d={data.data} />;
  return <Shell />;
}

function Shell() {
  const route = useRoute();
  const theme = useTheme();
  const [help, setHelp] = useState(false);
  const pendingG = useRef<number>(0);
  const mainRef = useRef<HTMLElement>(null);
  const current = route.path[0] ?? "orders";

  // After a save or any move to another screen, the focus is never left on the page
  // body: a screen that did not focus something itself gets its list (arrows move, and
  // the shortcuts still work), else its first field, button or link.
  const path = route.path.join("/");
  useEffect(() => {
    const t = setTimeout(() => {
      const main = mainRef.current;
      if (!main || (document.activeElement && document.activeElement !== document.body)) return;
      const target =
        main.querySelector<HTMLElement>(".grid-body") ??
        main.querySelector<HTMLElement>("input:not([disabled]), select:not([disabled]), textarea, button:not([disabled]), a[href], [tabindex='0']");
      (target ?? main).focus();
    }, 80);
    return () => clearTimeout(t);
  }, [path]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "Escape" && !help && !inTextField(e)) {
        if (route.path.length > 1) window.history.back();
        return;
      }
      if (inTextField(e)) return;
      const now = Date.now();
      if (now - pendingG.current < 1200 && GO[e.key]) {
        e.preventDefault();
        pendingG.current = 0;
        navigate(GO[e.key] ?? "orders");
        return;
      }
      pendingG.current = 0;
      switch (e.key) {
        case "?":
          e.preventDefault();
          setHelp((h) => !h);
          break;
        case "g":
          pendingG.current = now;
          break;
        case "n":
          e.preventDefault();
          navigate("orders/new");
          break;
        case "T":
          e.preventDefault();
          theme.toggle();
          break;
        case "C":
          e.preventDefault();
          navigate("customers/new");
          break;
        case "P":
          e.preventDefault();
          navigate("products/new");
          break;
        case "h": {
          const [a, id] = route.path;
          if (id && id !== "new" && (a === "orders" || a === "customers" || a === "products")) {
            e.preventDefault();
            navigate(`history/${id}`);
          }
          break;
        }
        case "/": {
          const el = document.querySelector<HTMLInputElement>("[data-search]");
          if (el) {
            e.preventDefault();
            el.focus();
            el.select();
          }
          break;
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [help, route.path, theme]);

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">▦</span> Daybook
        </div>
        <ul>
          {NAV.map((n) => {
            const active = n.to === "orders/new" ? route.path.join("/") === "orders/new"
              : current === n.to && route.path.join("/") !== "orders/new" || (n.to === "timeline" && current === "history");
            return (
              <li key={n.to}>
                <a href={href(n.to)} className={active ? "active" : ""} aria-current={active ? "page" : undefined} data-testid={n.testId}>
                  <span>
                    {n.label}
                    {n.to === "approvals" && <ApprovalsCount />}
                  </span>
                  <span className="nav-keys">{n.keys}</span>
                </a>
              </li>
            );
          })}
        </ul>
        <div className="sidebar-foot">
          <DemoBadge />
          <PersonBadge />
          <SyncBadge />
          <div className="foot-buttons">
            <button type="button" className="btn ghost small" onClick={theme.toggle} data-testid="theme-toggle"
              aria-label={`Switch to ${theme.effective === "dark" ? "light" : "dark"} theme`}>
              {theme.effective === "dark" ? "☀ Light" : "☾ Dark"}
            </button>
            <button type="button" className="btn ghost small" onClick={() => setHelp(true)} data-testid="help-open">
              Shortcuts <Kbd>?</Kbd>
            </button>
          </div>
        </div>
      </nav>
      <main ref={mainRef} className="main" tabIndex={-1}>
        <ErrorBoundary key={route.path.join("/")}>
          <Screen route={route} />
        </ErrorBoundary>
      </main>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}

export function App({ client }: { client: QueryClient }) {
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let cancelled = false;
    onChanged(() => void client.invalidateQueries())
      .then((u) => {
        if (cancelled) u();
        else unlisten = u;
      })
      .catch(() => {
        /* outside Tauri (a plain browser): no change events */
      });
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }, [client]);
  return (
    <QueryClientProvider client={client}>
      <ErrorBoundary>
        <Root />
      </ErrorBoundary>
    </QueryClientProvider>
  );
}
