/* A Vulkan layer that lets SAPIEN 2.2.2 create its device on a driver lacking some extensions it asks for (Mesa's
 * lavapipe: VK_KHR_external_semaphore_fd, ...). The loader accepts an extension a layer's manifest lists under
 * device_extensions; vkCreateDevice here drops from the enabled list each listed extension the physical device does
 * not offer, then calls down the chain. Entry points of a dropped extension answer with a loud error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vk_layer.h>
#include <vulkan/vulkan.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_EXT 256

static PFN_vkGetInstanceProcAddr next_gipa;
static PFN_vkGetDeviceProcAddr next_gdpa;
static VkInstance last_instance;
static const char *STRIPPABLE[] = {STRIP_LIST};  /* -DSTRIP_LIST='"VK_KHR_a","VK_KHR_b"' at build time */
static int stripped_calls;

static int strippable(const char *name) {
    for (size_t i = 0; i < sizeof(STRIPPABLE) / sizeof(*STRIPPABLE); i++)
        if (strcmp(name, STRIPPABLE[i]) == 0) return 1;
    return 0;
}

static int verbose(void) { return getenv("VLA_VK_LAYER_VERBOSE") != NULL; }

static VkResult VKAPI_CALL stripped_entry(void) {
    stripped_calls++;
    fprintf(stderr, "vla-harness vulkan layer: an entry point of a stripped extension was called (%d)\n",
            stripped_calls);
    return VK_ERROR_EXTENSION_NOT_PRESENT;
}

static void *chain_info(const void *pnext, VkStructureType type) {
    const VkBaseInStructure *s = pnext;
    for (; s; s = s->pNext)
        if (s->sType == type && ((const VkLayerInstanceCreateInfo *)s)->function == VK_LAYER_LINK_INFO)
            return (void *)s;
    return NULL;
}

static VKAPI_ATTR VkResult VKAPI_CALL layer_CreateInstance(const VkInstanceCreateInfo *info,
                                                          const VkAllocationCallbacks *alloc, VkInstance *out) {
    VkLayerInstanceCreateInfo *link = chain_info(info->pNext, VK_STRUCTURE_TYPE_LOADER_INSTANCE_CREATE_INFO);
    if (!link) return VK_ERROR_INITIALIZATION_FAILED;
    next_gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
    link->u.pLayerInfo = link->u.pLayerInfo->pNext;
    PFN_vkCreateInstance create = (PFN_vkCreateInstance)next_gipa(VK_NULL_HANDLE, "vkCreateInstance");
    VkResult r = create(info, alloc, out);
    if (r == VK_SUCCESS) last_instance = *out;
    return r;
}

static int offered(VkPhysicalDevice gpu, VkInstance inst, const char *name) {
    PFN_vkEnumerateDeviceExtensionProperties enumerate =
        (PFN_vkEnumerateDeviceExtensionProperties)next_gipa(inst, "vkEnumerateDeviceExtensionProperties");
    uint32_t n = 0;
    if (!enumerate || enumerate(gpu, NULL, &n, NULL) != VK_SUCCESS) return 0;
    VkExtensionProperties *props = calloc(n, sizeof(*props));
    int found = 0;
    if (props && enumerate(gpu, NULL, &n, props) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++) found = strcmp(props[i].extensionName, name) == 0;
    free(props);
    return found;
}

static VKAPI_ATTR VkResult VKAPI_CALL layer_CreateDevice(VkPhysicalDevice gpu, const VkDeviceCreateInfo *info,
                                                        const VkAllocationCallbacks *alloc, VkDevice *out) {
    VkLayerDeviceCreateInfo *link = chain_info(info->pNext, VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO);
    if (!link) return VK_ERROR_INITIALIZATION_FAILED;
    PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
    next_gdpa = link->u.pLayerInfo->pfnNextGetDeviceProcAddr;
    link->u.pLayerInfo = link->u.pLayerInfo->pNext;
    PFN_vkCreateDevice create = (PFN_vkCreateDevice)gipa(VK_NULL_HANDLE, "vkCreateDevice");
    const char *kept[MAX_EXT];
    uint32_t n = 0;
    for (uint32_t i = 0; i < info->enabledExtensionCount && n < MAX_EXT; i++) {
        const char *name = info->ppEnabledExtensionNames[i];
        if (strippable(name) && !offered(gpu, last_instance, name)) {
            if (verbose()) fprintf(stderr, "vla-harness vulkan layer: not enabling %s\n", name);
            continue;
        }
        kept[n++] = name;
    }
    VkDeviceCreateInfo copy = *info;
    copy.enabledExtensionCount = n;
    copy.ppEnabledExtensionNames = kept;
    return create(gpu, &copy, alloc, out);
}

static int is_stripped_entry(const char *name) {
    return strcmp(name, "vkGetSemaphoreFdKHR") == 0 || strcmp(name, "vkImportSemaphoreFdKHR") == 0 ||
           strcmp(name, "vkGetMemoryFdKHR") == 0 || strcmp(name, "vkGetMemoryFdPropertiesKHR") == 0;
}

EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL layer_GetDeviceProcAddr(VkDevice dev, const char *name) {
    if (strcmp(name, "vkGetDeviceProcAddr") == 0) return (PFN_vkVoidFunction)layer_GetDeviceProcAddr;
    PFN_vkVoidFunction fn = next_gdpa ? next_gdpa(dev, name) : NULL;
    if (!fn && is_stripped_entry(name)) return (PFN_vkVoidFunction)stripped_entry;
    return fn;
}

EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL layer_GetInstanceProcAddr(VkInstance inst, const char *name) {
    if (strcmp(name, "vkGetInstanceProcAddr") == 0) return (PFN_vkVoidFunction)layer_GetInstanceProcAddr;
    if (strcmp(name, "vkCreateInstance") == 0) return (PFN_vkVoidFunction)layer_CreateInstance;
    if (strcmp(name, "vkCreateDevice") == 0) return (PFN_vkVoidFunction)layer_CreateDevice;
    if (strcmp(name, "vkGetDeviceProcAddr") == 0) return (PFN_vkVoidFunction)layer_GetDeviceProcAddr;
    return next_gipa ? next_gipa(inst, name) : NULL;
}

EXPORT VKAPI_ATTR VkResult VKAPI_CALL vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface *v) {
    if (v->loaderLayerInterfaceVersion > 2) v->loaderLayerInterfaceVersion = 2;
    v->pfnGetInstanceProcAddr = layer_GetInstanceProcAddr;
    v->pfnGetDeviceProcAddr = layer_GetDeviceProcAddr;
    v->pfnGetPhysicalDeviceProcAddr = NULL;
    return VK_SUCCESS;
}
