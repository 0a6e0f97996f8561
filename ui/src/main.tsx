import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { createQueryClient } from "./queryClient";
import "./styles.css";

const root = document.getElementById("root");
// A failure before React renders (e.g. a missing browser feature) must not leave a blank window.
window.addEventListener("error", (e) => {
  if (root && !root.hasChildNodes()) root.textContent = `Daybook failed to start: ${e.message}`;
});
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App client={createQueryClient()} />
    </StrictMode>,
  );
}
