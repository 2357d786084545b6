// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeResults } from '../../../renderer/src/screens/integration/NodeResults.js';

describe('per-node results of a rotation, a confirmation or a retirement', () => {
  afterEach(cleanup);

  it('names a refusal by the token\'s scope as one, not as a node failure, and not as drift when no node changed', () => {
    render(
      <NodeResults
        nodes={[
          { url: 'https://n1', ok: false, code: 'scope_insufficient', error: 'this token has the operate scope; admin is needed' },
          { url: 'https://n2', ok: false, code: 'scope_insufficient', error: 'this token has the operate scope; admin is needed' },
        ]}
      />,
    );
    expect(screen.getByText("refused by the token's scope on 2 of 2 nodes: connect the fleet with an admin token")).toBeTruthy();
    expect(screen.queryByText(/failed|out of step/)).toBeNull();
    expect(screen.getAllByText(/refused by the token's scope, nothing changed/)).toHaveLength(2);
  });

  it('calls the fleet out of step when some nodes took the change and others failed', () => {
    render(
      <NodeResults
        nodes={[
          { url: 'https://n1', ok: true },
          { url: 'https://n2', ok: false, error: 'timed out' },
          { url: 'https://n3', ok: false, code: 'scope_insufficient', error: 'forbidden' },
        ]}
      />,
    );
    expect(screen.getByText("failed on 1 of 3 nodes, refused by the token's scope on 1 — the fleet is out of step")).toBeTruthy();
    expect(screen.getByText(/failed — timed out/)).toBeTruthy();
  });
});
