import { useMutation } from '@tanstack/react-query';
import { useApi } from './context';

/** The signed-in user changes their own password, proving the current one (Harbor's rule). */
export function useChangePassword(userId: number) {
  const api = useApi();
  return useMutation({
    mutationFn: ({ oldPassword, newPassword }: { oldPassword: string; newPassword: string }) =>
      api.write('PUT', `/users/${userId}/password`, { old_password: oldPassword, new_password: newPassword }),
  });
}
