import { ActivityData } from './activity-data.js';
import { ActivityEntity } from './activity-entity.js';
import { ActivityExecution } from './activity-execution.js';
import { QueueStart } from './queue-start.js';
import { Run } from './run.js';
import { SagaData } from './saga-data.js';
import { SagaEntity } from './saga-entity.js';
import { SagaExecution } from './saga-execution.js';
import { SideEffectData } from './side-effect-data.js';
import { SideEffectEntity } from './side-effect-entity.js';
import { SideEffectExecution } from './side-effect-execution.js';
import { Signal } from './signal.js';
import { Task } from './task.js';
import { Timer } from './timer.js';
import { WorkflowData } from './workflow-data.js';
import { WorkflowEntity } from './workflow-entity.js';
import { WorkflowExecution } from './workflow-execution.js';
import { WorkflowExecutionData } from './workflow-execution-data.js';

export { bigintTransformer } from './bigint-transformer.js';
export {
  ActivityData,
  ActivityEntity,
  ActivityExecution,
  QueueStart,
  Run,
  SagaData,
  SagaEntity,
  SagaExecution,
  SideEffectData,
  SideEffectEntity,
  SideEffectExecution,
  Signal,
  Task,
  Timer,
  WorkflowData,
  WorkflowEntity,
  WorkflowExecution,
  WorkflowExecutionData,
};

/** Every Tempolite entity, for a DataSource's `entities` option. */
export const TEMPOLITE_ENTITIES = [
  Run,
  WorkflowEntity,
  WorkflowData,
  WorkflowExecution,
  WorkflowExecutionData,
  ActivityEntity,
  ActivityData,
  ActivityExecution,
  SideEffectEntity,
  SideEffectData,
  SideEffectExecution,
  SagaEntity,
  SagaData,
  SagaExecution,
  Signal,
  Timer,
  Task,
  QueueStart,
];
