#ifndef INNOMINATUS_CLIBYAML_SHIM_H
#define INNOMINATUS_CLIBYAML_SHIM_H

#include <yaml.h>

#endif
