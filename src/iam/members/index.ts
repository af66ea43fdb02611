// Project members and their roles.
export { createMemberService, type MemberService, type Member } from './service.js';
