// One DC's replica of the directory: the originating LDAP operations (add,
// modify, delete, rename/move) with AD's checks and stamping, and the reads
// replication and the KDC build on. Each originating operation takes one new
// USN, stamps every attribute it changes and commits as one WriteBatch.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dc/dn.h"
#include "dc/ids.h"
#include "dc/object.h"
#include "dc/rng.h"
#include "dc/schema.h"
#include "dc/security_descriptor.h"
#include "dc/status.h"
#include "dc/store.h"
#include "dc/values.h"

namespace dcemu::dc {

struct DirectoryOptions {
  std::string domainDnsName;  // "corp.example.com"
  bool readOnly = false;      // an RODC: refuses originating writes with a referral
  // The RID pools this DC is given, as a RID master would: pools of
  // kRidPoolSize RIDs from kFirstRid, the `ridPoolIndex`th of every
  // `ridPoolCount` pools (one per writable DC, in turn).
  uint32_t ridPoolIndex = 0, ridPoolCount = 1;
  // Whether the forest's schema has Windows Server 2025's dMSA class; a
  // forest adprep has not raised to 2025 refuses to make a dMSA.
  bool dmsaClass = true;
};

// The first RID a domain gives a new account and the size of the pools a
// RID master hands to DCs (Windows' default RID block size, 500).
inline constexpr uint32_t kFirstRid = 1000;
inline constexpr uint32_t kRidPoolSize = 500;

// Who asks: the SIDs of the requester's token. The system (the DC itself,
// provisioning, the migration operations' own writes) passes every check.
struct Principal {
  std::vector<Sid> sids;
  bool system = false;

  static Principal systemPrincipal() { return Principal{{}, true}; }
  bool holds(const Sid& sid) const;
};

struct AttributeInput {
  std::string name;
  std::vector<std::string> values;  // LDAP string forms
};

struct Change {
  enum class Op { Add, Replace, Delete };
  Op op;
  std::string attribute;
  std::vector<std::string> values;  // Delete with no values removes the attribute
};

// One object's part of a modify that spans objects.
struct ObjectChanges {
  std::string dn;
  std::vector<Change> changes;
};

// One row of `repadmin /showobjmeta`.
struct AttributeMetadata {
  std::string attribute;
  uint64_t localUsn;
  Stamp stamp;
};

// One linked value row of `repadmin /showobjmeta`.
struct LinkMetadata {
  std::string attribute;
  std::string targetDn;
  bool present;  // what reads show: active, target live, and the newest of a single-valued attribute's
  bool active;   // the replicated flag
  int64_t timeCreated;
  uint64_t localUsn;
  Stamp stamp;
};

class Directory {
 public:
  // Opens the replica in `store`. A new store gets an invocationID drawn
  // from `rng` and starts at USN 1.
  static Result<std::unique_ptr<Directory>> open(Store& store, const DirectoryOptions& options, Clock& clock, Rng& rng);

  const Guid& invocationId() const { return invocationId_; }
  uint64_t highestCommittedUsn() const { return nextUsn_ - 1; }
  bool readOnly() const { return options_.readOnly; }
  const Dn& namingContextDn(NamingContext nc) const { return ncDns_[static_cast<int>(nc)]; }
  std::optional<Sid> domainSid() const { return domainSid_; }
  const Schema& schema() const { return schema_; }
  Store& store() { return store_; }
  const Store& store() const { return store_; }
  Clock& clock() { return clock_; }
  int64_t nowMicros() const { return clock_.nowMicros(); }

  // Originating operations.
  Result<Guid> add(std::string_view dn, const std::vector<AttributeInput>& attributes,
                   const Principal& requester = Principal::systemPrincipal());
  Status modify(std::string_view dn, const std::vector<Change>& changes,
                const Principal& requester = Principal::systemPrincipal());
  // Modifies several objects as one originating write, as AD's operations
  // that touch more than one object do (the dMSA migration operations): one
  // atomic batch in which each object takes its own USN. All or nothing.
  Status modifyTogether(const std::vector<ObjectChanges>& objects,
                        const Principal& requester = Principal::systemPrincipal());
  Status remove(std::string_view dn, const Principal& requester = Principal::systemPrincipal());
  // The tree-delete control: `dn` and every live object below it become
  // tombstones in one atomic write, each under its own USN, leaves first.
  Status removeTree(std::string_view dn, const Principal& requester = Principal::systemPrincipal());
  // Reanimates the tombstone `guid` as `newDn` (MS-ADTS 3.1.1.5.3.7).
  Status undelete(const Guid& guid, std::string_view newDn, const Principal& requester = Principal::systemPrincipal());
  Status rename(std::string_view dn, std::string_view newDn, const Principal& requester = Principal::systemPrincipal());
  // Creates a naming context's head object (provisioning, or the first
  // replica of a naming context).
  Result<Guid> createNamingContextHead(NamingContext nc, std::string_view objectClass,
                                       const std::vector<AttributeInput>& attributes);

  // Told after every committed write, originating or replicated, of each
  // object it wrote that `watches` names, as written (once per time the
  // write names it): how a watcher (the simulator's risk tracker) follows
  // what each replica holds without polling it or reading the object
  // again. `watches` is asked as each object is staged, of every object
  // written, so it must be cheap.
  struct WriteObserver {
    std::function<bool(const Guid& object)> watches;
    std::function<void(const Object& object, bool replicated)> written;
  };
  void setWriteObserver(WriteObserver observer) { writeObserver_ = std::move(observer); }

  // Reads. Tombstones are found by GUID and by their Deleted Objects DN.
  Result<Object> read(std::string_view dn) const;
  Result<Object> readByGuid(const Guid& guid) const;
  // The same without a copy, for reads that only look.
  Result<std::shared_ptr<const Object>> viewByGuid(const Guid& guid) const;
  std::optional<NamingContext> namingContextOf(const Guid& guid) const;
  Result<std::string> dnOf(const Guid& guid) const;
  // The attribute's values in LDAP string form, constructed ones included;
  // linked values are the active ones whose target is not deleted.
  Result<std::vector<std::string>> values(const Object& obj, std::string_view attribute) const;
  std::vector<std::string> childrenOf(std::string_view dn) const;
  Status changesSince(NamingContext nc, uint64_t usn, const std::function<bool(const Object&)>& fn) const;
  Result<std::vector<AttributeMetadata>> attributeMetadata(std::string_view dn) const;
  Result<std::vector<LinkMetadata>> linkMetadata(std::string_view dn) const;
  bool isDeleted(const Object& obj) const;
  // An Integer attribute's value, the target a single-valued link shows,
  // and an object's SID; none when absent.
  std::optional<int64_t> integer(const Object& obj, std::string_view attribute) const;
  std::optional<Guid> linkTarget(const Object& obj, std::string_view attribute) const;
  std::optional<Sid> objectSid(const Object& obj) const;
  // The values of a linked attribute that reads show. Replication keeps
  // each value's flag as its stamp says, so every replica converges on the
  // same stored state; what is shown is then a function of that state: not
  // a tombstone's values, not values whose target is deleted (AD stops
  // showing them when it learns of the delete), and of a single-valued
  // attribute with two active values (on an RODC, until a writable DC's
  // deactivation of the loser arrives), only the one with the greater link
  // value stamp.
  std::vector<const LinkEntry*> visibleLinks(const Object& obj, const AttributeDef& attr) const;
  // Where a naming context keeps tombstones and orphans (AD's well-known
  // containers: Deleted Objects, LostAndFound or LostAndFoundConfig).
  static std::string_view deletedObjectsName() { return "Deleted Objects"; }
  static std::string_view lostAndFoundName(NamingContext nc);
  const ClassDef* structuralClass(const Object& obj) const;
  // The SIDs of an account's token: its own, its primary group and every
  // group it is a member of, transitively (tokenGroups).
  Result<std::vector<Sid>> tokenSids(const Guid& account) const;
  // Resolves trustee names (sAMAccountName) and SIDs for SDDL.
  TrusteeResolver trusteeResolver() const;
  ValueContext valueContext() const;
  Result<Guid> guidOfDn(const Dn& dn) const;

 private:
  friend class ReplicaBatch;
  struct Located {
    NamingContext nc;
    Object object;
  };
  struct Resolved;  // a parsed DN's object and naming context

  Directory(Store& store, const DirectoryOptions& options, Clock& clock, Rng& rng);
  Status loadState();
  // Where an object of `nc` (shown as `shownDn`) would go as `newDnText`,
  // for rename and undelete: the new DN, its live parent in the same naming
  // context, which may contain the object's class, and the class, whose
  // RDN attribute the new DN must use.
  struct NewPlace {
    Dn dn;
    Located parent;
    const ClassDef* cls;
  };
  Result<NewPlace> checkNewPlace(const Object& obj, NamingContext nc, std::string_view shownDn,
                                 std::string_view newDnText) const;
  Result<Located> resolve(const Dn& dn) const;
  Result<Located> resolveText(std::string_view dn) const;
  std::optional<NamingContext> namingContextOfDn(const Dn& dn) const;
  Status refuseIfReadOnly(std::string_view dn) const;

  // Stamping and commit helpers shared by the operations.
  struct Pending;
  Pending begin();
  void stamp(Pending& p, AttributeEntry& entry) const { originate(p, entry.stamp, entry.localUsn); }
  void stampLink(Pending& p, LinkEntry& link) const { originate(p, link.stamp, link.localUsn); }
  void originate(Pending& p, Stamp& stamp, uint64_t& localUsn) const;
  // Puts one changed object in the pending write under its own USN.
  void stage(Pending& p, NamingContext nc, Object& after, const Object* before);
  // Writes what was staged (nothing when `written` is empty) and tells the
  // write observer.
  Status commitStaged(Pending& p, std::span<const Guid> written);
  Status commit(Pending& p, NamingContext nc, Object& after, const Object* before);
  Status checkDeletable(const Located& located, std::string_view dn) const;
  // Stages `obj`'s transformation into a tombstone.
  void stageDelete(Pending& p, NamingContext nc, const Object& obj);
  Status stageLinksToDeleted(Pending& p, std::vector<Guid>& written);
  // Checks and stages one object's part of a modify.
  Status stageModify(Pending& p, std::string_view dn, const std::vector<Change>& changes, const Principal& requester,
                     std::vector<Guid>& written);

  // Encodes values for `attr`, refusing a value given twice.
  Result<std::vector<std::string>> encodeAll(const AttributeDef& attr, const std::vector<std::string>& texts,
                                             std::string_view dn) const;
  Status applyChange(Pending& p, Object& obj, const ClassDef& cls, const Change& change, std::string_view dn,
                     const Principal& requester);
  Status checkMustContain(const Object& obj, const ClassDef& cls, std::string_view dn) const;
  Status checkAccess(const Object& obj, uint32_t rightsNeeded, const std::optional<Guid>& objectType,
                     const Principal& requester, std::string_view dn, std::string_view what) const;
  // The next free RID of this DC's pools, staged in `p` with the counter.
  Result<Sid> allocateSid(Pending& p);
  // The RID after `rid` in this DC's pools.
  uint32_t ridAfter(uint32_t rid) const;
  // The security descriptor a new object under `parent` (none for a naming
  // context's head) gets: `given` (or the class's default) with the
  // parent's inheritable ACEs.
  std::string newObjectSecurityDescriptor(const Object* parent, const ClassDef& cls, const std::string* given) const;
  // The schemaIDGUIDs of `cls` and its superiors.
  std::vector<Guid> classGuids(const ClassDef& cls) const;

  // The Security Descriptor Propagator Update task (see sd_propagation.cc).
  // A write that changes an object's security descriptor or moves it
  // queues the object, in the same batch, as a propagation event.
  bool causesPropagation(const Object& after, const Object* before) const;
  static void queuePropagation(WriteBatch& batch, const Guid& object);
  // Gives `obj` the inherited ACEs its parent (read through `batch`) passes
  // down; false when it already holds them.
  bool reinherit(NamingContext nc, Object& obj, const WriteBatch* batch) const;
  // The same with the parent's security descriptor given (none: the
  // parent has none, or `obj` heads a naming context).
  bool reinheritFrom(Object& obj, const SecurityDescriptor* parentSd) const;
  // The descriptor reinheritFrom would give `obj`, or none when it holds it.
  std::optional<std::string> inheritedDescriptor(const Object& obj, const SecurityDescriptor* parentSd) const;
  // The security descriptor of `guid` in `nc`, read through `batch`.
  std::optional<SecurityDescriptor> securityDescriptorOf(NamingContext nc, const Guid& guid,
                                                         const WriteBatch* batch) const;
  // Runs every queued propagation event to its end.
  Status propagateSecurityDescriptors();
  std::optional<Guid> deletedObjectsContainer(NamingContext nc) const;

  Store& store_;
  DirectoryOptions options_;
  Clock& clock_;
  Rng& rng_;
  const Schema& schema_;
  Guid invocationId_;
  uint64_t nextUsn_ = 1;
  uint32_t nextRid_ = kFirstRid;  // the next RID this DC gives, in its pool
  std::optional<Sid> domainSid_;
  Dn ncDns_[kNamingContextCount];
  std::optional<Guid> ncHeads_[kNamingContextCount];
  WriteObserver writeObserver_;
  bool observes(const Guid& object) const { return writeObserver_.watches && writeObserver_.watches(object); }
  // Tells the observer of each watched object the write named, in order.
  void tellObserver(std::span<const Guid> written, const std::vector<Object>& watched, bool replicated) const;
};

// schemaIDGUID of a class or attribute: Windows' value (dc/schema_guids.cc
// has all but two Windows Server 2025 additions), otherwise one derived
// from the OID (a stable hash), since object ACEs need one per class and
// attribute.
Guid schemaIdGuid(std::string_view oid);

}  // namespace dcemu::dc
