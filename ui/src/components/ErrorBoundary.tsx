//! Catches a render error of one screen so the rest of the app stays usable, and says
//! what went wrong instead of showing a blank window.

import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("Screen failed to render", error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="screen" role="alert" data-testid="screen-error">
        <div className="banner banner-error">
          <strong>This screen failed to show.</strong> {this.state.error.message}
        </div>
        <pre className="muted small stack">{this.state.error.stack}</pre>
        <div>
          <button type="button" className="btn" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      </div>
    );
  }
}
