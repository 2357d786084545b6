import { useEffect, useState, type RefObject } from 'react';

/**
 * While `blocked`, leaving the screen is refused: a click on a link outside `keep` (the dialog
 * that must be answered), the back button (the address is put back before the app's router sees
 * it) and closing or reloading the page. Answers whether the operator just tried, to say why.
 */
export function useNavigationBlock(blocked: boolean, keep: RefObject<HTMLElement | null>): boolean {
  const [attempted, setAttempted] = useState(false);
  useEffect(() => {
    if (!blocked) return;
    const here = window.location.hash;
    const onClick = (event: MouseEvent) => {
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (!link || keep.current?.contains(link)) return;
      event.preventDefault();
      event.stopPropagation();
      setAttempted(true);
    };
    const onHashChange = (event: HashChangeEvent) => {
      // Registered in the capture phase, before the router's listener, which this one silences.
      event.stopImmediatePropagation();
      window.history.replaceState(null, '', here);
      setAttempted(true);
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    document.addEventListener('click', onClick, true);
    window.addEventListener('hashchange', onHashChange, true);
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('hashchange', onHashChange, true);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [blocked, keep]);
  return attempted;
}
