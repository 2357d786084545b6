import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type ThemeName = 'light' | 'dark';

/** Chart colours per theme: SVG fills cannot read the page's CSS variables, so they are chosen here. */
export interface ChartColors {
  readonly accent: string;
  readonly ok: string;
  readonly warn: string;
  readonly bad: string;
  readonly axis: string;
  readonly grid: string;
  readonly tooltipBackground: string;
  /** Distinct series colours, for stacked reasons and secrets. */
  readonly series: readonly string[];
}

const CHART_COLORS: Record<ThemeName, ChartColors> = {
  light: {
    accent: '#2456c9',
    ok: '#1a7f37',
    warn: '#9a6700',
    bad: '#c22b2b',
    axis: '#5b6470',
    grid: '#d8dde3',
    tooltipBackground: '#ffffff',
    series: ['#c22b2b', '#2456c9', '#9a6700', '#8250df', '#1a7f37', '#bc4c00', '#0a7ea4', '#6e7781'],
  },
  dark: {
    accent: '#6d9bff',
    ok: '#4ac26b',
    warn: '#d4a72c',
    bad: '#f47067',
    axis: '#9aa4b1',
    grid: '#2b313b',
    tooltipBackground: '#171b22',
    series: ['#f47067', '#6d9bff', '#d4a72c', '#b083f0', '#4ac26b', '#f0883e', '#39c5cf', '#9aa4b1'],
  },
};

interface ThemeState {
  readonly theme: ThemeName;
  readonly toggle: () => void;
  readonly chart: ChartColors;
}

const ThemeContext = createContext<ThemeState>({ theme: 'light', toggle: () => {}, chart: CHART_COLORS.light });

const systemPrefersDark = (): boolean => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

/** Follows the system's light or dark setting until the operator picks one with the toggle. */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const [system, setSystem] = useState<ThemeName>(() => (systemPrefersDark() ? 'dark' : 'light'));
  const [chosen, setChosen] = useState<ThemeName | undefined>();
  const theme = chosen ?? system;
  useEffect(() => {
    const query = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!query) return;
    const follow = () => setSystem(query.matches ? 'dark' : 'light');
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  const state = useMemo(() => ({ theme, toggle: () => setChosen(theme === 'dark' ? 'light' : 'dark'), chart: CHART_COLORS[theme] }), [theme]);
  return <ThemeContext.Provider value={state}>{children}</ThemeContext.Provider>;
}

export const useTheme = (): ThemeState => useContext(ThemeContext);
export const useChartColors = (): ChartColors => useContext(ThemeContext).chart;

export function ThemeToggle() {
  const { theme, toggle } = useTheme();
  return (
    <button type="button" className="secondary" onClick={toggle}>
      {theme === 'dark' ? 'Light theme' : 'Dark theme'}
    </button>
  );
}

/** The `index`th series colour, wrapping around. */
export const seriesColor = (colors: ChartColors, index: number): string => colors.series[index % colors.series.length] ?? colors.accent;
