import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
// One font everywhere, shipped with the app: the same text on every machine (and in the visual tests).
import '@fontsource/inter/400.css';
import '@fontsource/inter/600.css';
import '@fontsource/inter/700.css';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
