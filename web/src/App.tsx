import { MantineProvider, createTheme } from '@mantine/core';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, RouterProvider, createBrowserRouter, useLocation } from 'react-router';
import { ApiError, type ApiClient } from './api/client';
import { ApiProvider } from './api/context';
import { currentUserKey } from './api/session';
import { Layout } from './components/Layout';
import { I18nProvider } from './i18n/context';
import { LoginPage } from './pages/LoginPage';
import { lazyPage } from './pages/lazy';

// Each page is its own chunk, fetched when first visited; the login and the frame load first.
const ProjectsPage = lazyPage(() => import('./pages/ProjectsPage'), 'ProjectsPage');
const ProjectPage = lazyPage(() => import('./pages/ProjectPage'), 'ProjectPage');
const RepositoriesTab = lazyPage(() => import('./pages/RepositoriesTab'), 'RepositoriesTab');
const RepositoryPage = lazyPage(() => import('./pages/RepositoryPage'), 'RepositoryPage');
const ArtifactPage = lazyPage(() => import('./pages/ArtifactPage'), 'ArtifactPage');
const MembersTab = lazyPage(() => import('./pages/MembersTab'), 'MembersTab');
const RobotsTab = lazyPage(() => import('./pages/RobotsTab'), 'RobotsTab');
const LogsTab = lazyPage(() => import('./pages/LogsTab'), 'LogsTab');
const SummaryTab = lazyPage(() => import('./pages/SummaryTab'), 'SummaryTab');
const ProjectConfigurationTab = lazyPage(() => import('./pages/ProjectConfigurationTab'), 'ProjectConfigurationTab');
const ProjectPolicyTab = lazyPage(() => import('./pages/ProjectPolicyTab'), 'ProjectPolicyTab');
const ProjectLabelsTab = lazyPage(() => import('./pages/ProjectLabelsTab'), 'ProjectLabelsTab');
const SearchPage = lazyPage(() => import('./pages/SearchPage'), 'SearchPage');
const AdminPage = lazyPage(() => import('./pages/admin/AdminPage'), 'AdminPage');
const UsersPage = lazyPage(() => import('./pages/admin/UsersPage'), 'UsersPage');
const SystemRobotsPage = lazyPage(() => import('./pages/admin/SystemRobotsPage'), 'SystemRobotsPage');
const AuditLogPage = lazyPage(() => import('./pages/admin/AuditLogPage'), 'AuditLogPage');
const ConfigurationPage = lazyPage(() => import('./pages/admin/ConfigurationPage'), 'ConfigurationPage');
const GcPage = lazyPage(() => import('./pages/admin/GcPage'), 'GcPage');
const QuotasPage = lazyPage(() => import('./pages/admin/QuotasPage'), 'QuotasPage');
const LabelsPage = lazyPage(() => import('./pages/admin/LabelsPage'), 'LabelsPage');
const ScannersPage = lazyPage(() => import('./pages/admin/ScannersPage'), 'ScannersPage');

function HarborPath() {
  const { pathname, search } = useLocation();
  return <Navigate to={`${pathname.replace(/^\/harbor/, '') || '/'}${search}`} replace />;
}

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'sm' });

export const routes = [
  { path: '/login', element: <LoginPage /> },
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Navigate to="/projects" replace /> },
      { path: '/projects', element: <ProjectsPage /> },
      { path: '/search', element: <SearchPage /> },
      {
        path: '/projects/:projectId',
        element: <ProjectPage />,
        children: [
          { index: true, element: <Navigate to="summary" replace /> },
          { path: 'summary', element: <SummaryTab /> },
          { path: 'configuration', element: <ProjectConfigurationTab /> },
          { path: 'repositories', element: <RepositoriesTab /> },
          { path: 'members', element: <MembersTab /> },
          { path: 'labels', element: <ProjectLabelsTab /> },
          { path: 'policy', element: <ProjectPolicyTab /> },
          { path: 'robots', element: <RobotsTab /> },
          { path: 'logs', element: <LogsTab /> },
          { path: 'repositories/:repository', element: <RepositoryPage /> },
          { path: 'repositories/:repository/artifacts/:digest', element: <ArtifactPage /> },
        ],
      },
      {
        path: '/admin',
        element: <AdminPage />,
        children: [
          { index: true, element: <Navigate to="users" replace /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'robots', element: <SystemRobotsPage /> },
          { path: 'audit-logs', element: <AuditLogPage /> },
          { path: 'configuration', element: <ConfigurationPage /> },
          { path: 'gc', element: <GcPage /> },
          { path: 'quotas', element: <QuotasPage /> },
          { path: 'labels', element: <LabelsPage /> },
          { path: 'interrogation-services', element: <ScannersPage /> },
        ],
      },
      // Harbor's portal lives under /harbor: its links (/harbor/projects/2/repositories/app) open the same page here.
      { path: '/harbor/*', element: <HarborPath /> },
      { path: '*', element: <Navigate to="/projects" replace /> },
    ],
  },
];

/** A session that ends (expiry, logout elsewhere) sends every page back to the login. */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (error instanceof ApiError && error.status === 401 && query.queryHash !== JSON.stringify(currentUserKey))
          void client.invalidateQueries({ queryKey: currentUserKey });
      },
    }),
  });
  return client;
}

export function App({ api }: { api: ApiClient }) {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <ApiProvider client={api}>
          <I18nProvider>
            <RouterProvider router={router} />
          </I18nProvider>
        </ApiProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
