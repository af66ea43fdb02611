import type { Feature } from '../feature.js';
import { labelRoutes, type ArtifactLookup } from './routes.js';
import type { LabelService } from './service.js';

// Labels: Harbor's /labels API (global and project labels), labels on artifacts, and the
// labels artifact listings show (main.ts hands `labelsOf` to the artifacts service, whose
// listing filters on them with Harbor's `q=labels=(…)`).

export { createLabelService, labelBody, type HarborLabel, type LabelService } from './service.js';

export function labelsFeature(labels: LabelService, artifacts: ArtifactLookup): Feature {
  return {
    name: 'labels',
    routes: (app, kit) => labelRoutes(app, kit, labels, artifacts),
  };
}
