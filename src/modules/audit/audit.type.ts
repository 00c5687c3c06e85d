import { Field, ID, ObjectType } from 'type-graphql';
import { Public, RequireRole } from '../../auth/policies';
import { Role } from '../../auth/roles';
import { Connection } from '../../graphql/connection';
import { AuditEventType } from './audit.model';

@RequireRole(Role.ADMIN)
@ObjectType({ description: 'A security-relevant event. Never holds a password or token.' })
export class AuditEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => AuditEventType)
  type!: AuditEventType;

  @Field(() => ID, { nullable: true, description: 'Whom the event is about.' })
  userId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Who caused it, when that was someone else (an ADMIN).' })
  actorId!: string | null;

  @Field(() => ID, { nullable: true })
  sessionId!: string | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => String, { nullable: true, description: 'A small JSON object, such as the roles before and after.' })
  details!: string | null;
}

@Public()
@ObjectType({ description: 'A page of audit events, newest first.' })
export class AuditEventConnection extends Connection(AuditEvent, 'AuditEvent') {}
