import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Icon } from './Icon';

/**
 * Keeps one view's failure inside that view: it shows a placeholder naming the problem instead of
 * blanking the window. `resetKey` changing (another view opened) clears the error.
 */
export class ViewErrorBoundary extends Component<{ children: ReactNode; resetKey: string; what: string }, { error: Error | null; key: string }> {
  override state: { error: Error | null; key: string } = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`${this.props.what} failed:`, error, info.componentStack);
  }

  override render() {
    if (this.state.error) return <ViewProblem title={`${this.props.what} could not be shown`} message={this.state.error.message || String(this.state.error)} />;
    return this.props.children;
  }
}

/** A clear placeholder for a view that cannot be drawn, naming the problem. */
export function ViewProblem({ title, message }: { title: string; message: string }) {
  return (
    <div className="empty-state view-problem" role="alert">
      <Icon name="warning" size={36} />
      <h2>{title}</h2>
      <p className="inline-error">{message}</p>
    </div>
  );
}
